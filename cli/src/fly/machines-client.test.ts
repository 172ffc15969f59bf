import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeMachines, startFakeMachines } from '../../../test/fake-machines/server.ts';
import { MachinesApiError, MachinesClient, type RetryNotice, retryAfterMs } from './machines-client.ts';

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('MachinesClient against the fake Machines API', () => {
  let fake: FakeMachines;
  beforeAll(async () => {
    fake = await startFakeMachines({ token: 'fly-token', apps: ['probes'] });
  });
  afterAll(() => fake.close());

  it('sends the documented create request and reads the Machine back', async () => {
    const client = new MachinesClient({ baseUrl: fake.url, token: 'fly-token' });
    const m = await client.create('probes', {
      region: 'fra',
      name: 'probe-fra-1',
      config: { image: 'img:1' },
    });
    expect(m).toMatchObject({ region: 'fra', name: 'probe-fra-1', config: { image: 'img:1' } });
    expect(m.id).toMatch(/^[0-9a-f]{14}$/);
    expect(
      await client.waitForState('probes', m.id, {
        state: 'started',
        instanceId: m.instance_id,
        timeoutSeconds: 10,
      }),
    ).toBe(true);
    expect((await client.get('probes', m.id)).state).toBe('started');
    expect((await client.list('probes')).map((x) => x.id)).toContain(m.id);
    await client.destroy('probes', m.id, true);
    expect((await client.list('probes')).map((x) => x.id)).not.toContain(m.id);
  });

  it('retries after 429, waiting at least Retry-After, and succeeds', async () => {
    // The server allows one create per second with no burst; the client's own bucket allows 3.
    fake.setRateLimit({ perSecond: 1, burst: 1 });
    const notices: RetryNotice[] = [];
    const client = new MachinesClient({
      baseUrl: fake.url,
      token: 'fly-token',
      onRetry: (n) => notices.push(n),
    });
    const created = [];
    for (const region of ['iad', 'ord', 'lax'])
      created.push(await client.create('probes', { region, config: { image: 'i' } }));
    expect(created.map((m) => m.region)).toEqual(['iad', 'ord', 'lax']);
    const rejected = fake.requests.filter((r) => r.status === 429 && r.method === 'POST');
    expect(rejected.length).toBeGreaterThan(0);
    expect(client.retries.rateLimited).toBe(rejected.length);
    for (const n of notices) expect(n.delayMs).toBeGreaterThanOrEqual(1000);
    fake.setRateLimit({ perSecond: 1, burst: 3 });
  });

  it('gives up after maxRetries with the status and the API message', async () => {
    fake.setRateLimit({ perSecond: 0.01, burst: 1 });
    const client = new MachinesClient({
      baseUrl: fake.url,
      token: 'fly-token',
      maxRetries: 1,
      maxBackoffMs: 50,
    });
    await client.list('probes');
    const err = await client.list('probes').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MachinesApiError);
    expect((err as MachinesApiError).status).toBe(429);
    expect((err as Error).message).toBe(
      'Machines API GET /v1/apps/probes/machines failed: HTTP 429: rate limit exceeded',
    );
    fake.setRateLimit({ perSecond: 1, burst: 3 });
  });

  it('reports a 404 app and a bad token without retrying', async () => {
    const client = new MachinesClient({ baseUrl: fake.url, token: 'fly-token' });
    await expect(client.list('nope')).rejects.toThrow('HTTP 404: app nope not found');
    const bad = new MachinesClient({ baseUrl: fake.url, token: 'wrong' });
    await expect(bad.list('probes')).rejects.toThrow(/HTTP 401: You must be authenticated/);
    expect(bad.retries).toEqual({ rateLimited: 0, serverError: 0, network: 0 });
  });

  it('returns false when the wait endpoint times out (408) for a Machine that failed to start', async () => {
    fake.knobs.failStart.add('syd');
    const client = new MachinesClient({ baseUrl: fake.url, token: 'fly-token' });
    const m = await client.create('probes', { region: 'syd', config: { image: 'i' } });
    expect(await client.waitForState('probes', m.id, { state: 'started', timeoutSeconds: 1 })).toBe(false);
    expect((await client.get('probes', m.id)).state).toBe('failed');
    fake.knobs.failStart.delete('syd');
  });
});
