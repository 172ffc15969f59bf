import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizationHeader,
  LeaseHeldError,
  MachinesApiError,
  MachinesClient,
  machinesClientFromEnv,
  type RetryNotice,
  retryAfterMs,
} from '../../cli/src/fly/machines-client.ts';
import { type FakeMachines, startFakeMachines } from '../fake-machines/server.ts';

describe('authorizationHeader (fly-go tokens.FlapsHeader)', () => {
  it('sends macaroons as FlyV1 and other tokens as Bearer, whatever scheme was pasted', () => {
    expect(authorizationHeader('fm2_abc')).toBe('FlyV1 fm2_abc');
    expect(authorizationHeader('FlyV1 fm2_abc,fm2_def')).toBe('FlyV1 fm2_abc,fm2_def');
    expect(authorizationHeader('flyv1 fm1r_x')).toBe('FlyV1 fm1r_x');
    expect(authorizationHeader('Bearer FlyV1 fm2_abc')).toBe('FlyV1 fm2_abc');
    expect(authorizationHeader('oauth-token')).toBe('Bearer oauth-token');
    expect(authorizationHeader('Bearer oauth-token')).toBe('Bearer oauth-token');
  });
});

describe('machinesClientFromEnv', () => {
  const urlOf = (c: MachinesClient) => (c as unknown as { baseUrl: string }).baseUrl;
  it('reads --api-url, then FLY_FLAPS_BASE_URL, then FLY_API_HOSTNAME, then the public API', () => {
    const env = {
      FLY_API_TOKEN: 't',
      FLY_FLAPS_BASE_URL: 'http://flaps:4280',
      FLY_API_HOSTNAME: 'http://host:1',
    };
    expect(urlOf(machinesClientFromEnv(env, { apiUrl: 'http://flag:2' }))).toBe('http://flag:2');
    expect(urlOf(machinesClientFromEnv(env, {}))).toBe('http://flaps:4280');
    expect(urlOf(machinesClientFromEnv({ FLY_API_TOKEN: 't', FLY_API_HOSTNAME: 'host.example' }, {}))).toBe(
      'https://host.example',
    );
    expect(urlOf(machinesClientFromEnv({ FLY_API_TOKEN: 't' }, {}))).toBe('https://api.machines.dev');
  });
});

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
    expect(m).toMatchObject({
      region: 'fra',
      name: 'probe-fra-1',
      config: { image: 'img:1' },
      host_status: 'ok',
      events: [expect.objectContaining({ type: 'launch', status: 'created', source: 'user' })],
    });
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

  it('filters the list on metadata with metadata.<key>=<value>', async () => {
    const client = new MachinesClient({ baseUrl: fake.url, token: 'fly-token' });
    const ours = fake.seed('probes', { region: 'ams', image: 'i', metadata: { flyprobe_role: 'probe' } });
    const theirs = fake.seed('probes', { region: 'ams', image: 'i', metadata: { fly_process_group: 'app' } });
    const filtered = (await client.list('probes', { metadata: { flyprobe_role: 'probe' } })).map((m) => m.id);
    expect(filtered).toContain(ours.id);
    expect(filtered).not.toContain(theirs.id);
    expect(fake.requests.at(-1)?.query).toBe('metadata.flyprobe_role=probe');
  });

  it('takes a lease, passes its nonce on mutations, releases it; a held lease names its holder', async () => {
    const client = new MachinesClient({ baseUrl: fake.url, token: 'fly-token' });
    const m = fake.seed('probes', { region: 'waw', image: 'i', metadata: { flyprobe_role: 'probe' } });
    const nonce = await client.acquireLease('probes', m.id, 30, 'test');
    expect(fake.lease(m.id)).toMatchObject({ nonce, owner: 'operator@example.com' });
    // Without the nonce the API refuses the mutation; with it, it goes through.
    await expect(client.restart('probes', m.id, 'wrong')).rejects.toMatchObject({ status: 412 });
    await client.restart('probes', m.id, nonce);
    expect(fake.requests.at(-1)).toMatchObject({
      path: `/v1/apps/probes/machines/${m.id}/restart`,
      nonce,
      status: 200,
    });
    await client.releaseLease('probes', m.id, nonce);
    expect(fake.lease(m.id)).toBeUndefined();
    await client.releaseLease('probes', m.id, nonce); // already gone: not an error

    fake.holdLease(m.id, 'someone@example.com');
    const err = await client.acquireLease('probes', m.id, 30, 'test').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LeaseHeldError);
    expect((err as Error).message).toMatch(
      new RegExp(`^Machine ${m.id} is leased by someone@example.com until \\d{4}-\\d\\d-\\d\\dT`),
    );
  });

  it('authenticates macaroon tokens with the FlyV1 scheme', async () => {
    const macaroon = await startFakeMachines({ token: 'fm2_lJPECAAAAAAAAMjA', apps: ['probes'] });
    try {
      const pasted = new MachinesClient({ baseUrl: macaroon.url, token: 'FlyV1 fm2_lJPECAAAAAAAAMjA' });
      expect(await pasted.list('probes')).toEqual([]);
      const bare = new MachinesClient({ baseUrl: macaroon.url, token: 'fm2_lJPECAAAAAAAAMjA' });
      expect(await bare.list('probes')).toEqual([]);
    } finally {
      await macaroon.close();
    }
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
