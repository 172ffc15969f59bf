import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeMachines, startFakeMachines } from './server.ts';

const TOKEN = 'oauth-token';

/** Raw HTTP against the fake, to check what it accepts and refuses field by field. */
async function call(
  fake: FakeMachines,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> & { error?: string } }> {
  const res = await request(`${fake.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : {} };
}

describe('fake Machines API: documented shapes and what it refuses', () => {
  let fake: FakeMachines;
  beforeAll(async () => {
    // Generous limits: this file checks shapes, not rate limiting.
    fake = await startFakeMachines({ token: TOKEN, apps: ['a'], rateLimit: { perSecond: 100, burst: 100 } });
  });
  afterAll(() => fake.close());

  it('accepts the documented create fields (lsvd, lease_ttl, mounts) and answers a Machine with events and checks', async () => {
    const r = await call(fake, 'POST', '/v1/apps/a/machines', {
      name: 'm1',
      region: 'iad',
      lsvd: true,
      skip_service_registration: false,
      lease_ttl: 30,
      config: {
        image: 'reg/x:1',
        mounts: [{ volume: 'vol_1', path: '/data', size_gb: 1, extend_threshold_percent: 80 }],
        checks: { alive: { type: 'tcp', port: 8080 } },
        metadata: { role: 'x' },
      },
    });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      name: 'm1',
      region: 'iad',
      state: 'created',
      host_status: 'ok',
      cordoned: false,
      instance_id: expect.stringMatching(/^[0-9A-Z]{26}$/),
      nonce: expect.stringMatching(/^[0-9a-f]{16}$/),
      checks: [
        { name: 'alive', status: 'warning', output: expect.any(String), updated_at: expect.any(String) },
      ],
      events: [
        {
          id: expect.any(String),
          type: 'launch',
          status: 'created',
          source: 'user',
          timestamp: expect.any(Number),
        },
      ],
      image_ref: { registry: 'registry-1.docker.io', repository: 'reg/x', tag: '1' },
    });
    // lease_ttl on create took a lease: mutations need its nonce.
    const id = String(r.json.id);
    expect(
      (await call(fake, 'POST', `/v1/apps/a/machines/${id}`, { config: { image: 'reg/x:2' } })).status,
    ).toBe(412);
  });

  it('refuses unknown fields, bad mounts and bad values with a 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ config: { image: 'i' }, regoin: 'iad' }, 'unknown field "regoin"'],
      [
        { config: { image: 'i', mounts: [{ path: '/d', lsvd: true }] } },
        'config.mounts[0]: unknown field "lsvd"',
      ],
      [{ config: { image: 'i', mounts: [{ path: 'data' }] } }, 'config.mounts[0].path must be absolute'],
      [{ config: { image: 'i', metadata: { n: 1 } } }, 'config.metadata.n must be a string'],
      [{ config: { image: 'i' }, lsvd: 'yes' }, 'lsvd must be a boolean'],
      [
        { config: { image: 'i', guest: { cpu_kind: 'shared', cpus: 1, memory_mb: 300 } } },
        'config.guest.memory_mb must be a multiple of 256',
      ],
      [{ config: {} }, 'config.image is required'],
    ];
    for (const [body, error] of cases) {
      const r = await call(fake, 'POST', '/v1/apps/a/machines', body);
      expect([r.status, r.json.error]).toEqual([400, error]);
    }
  });

  it('hides config behind incomplete_config while the host is unreachable, and refuses updates there', async () => {
    const m = fake.seed('a', { region: 'fra', image: 'i', metadata: { k: 'v' }, host_status: 'unreachable' });
    const r = await call(fake, 'GET', `/v1/apps/a/machines/${m.id}`);
    expect(r.json.config).toBeUndefined();
    expect(r.json).toMatchObject({
      host_status: 'unreachable',
      incomplete_config: { image: 'i', metadata: { k: 'v' } },
    });
    const u = await call(fake, 'POST', `/v1/apps/a/machines/${m.id}`, { config: { image: 'j' } });
    expect(u.status).toBe(412);
  });

  it('filters the list by metadata.<key>, region and include_deleted', async () => {
    const keep = fake.seed('a', { region: 'syd', image: 'i', metadata: { flyprobe_role: 'probe' } });
    const other = fake.seed('a', { region: 'syd', image: 'i', metadata: { flyprobe_role: 'other' } });
    const ids = async (q: string) =>
      ((await call(fake, 'GET', `/v1/apps/a/machines?${q}`)).json as unknown as { id: string }[]).map(
        (m) => m.id,
      );
    expect(await ids('metadata.flyprobe_role=probe')).toEqual([keep.id]);
    expect(await ids('region=syd')).toEqual([keep.id, other.id]);
    await call(fake, 'DELETE', `/v1/apps/a/machines/${other.id}?force=true`);
    expect(await ids('region=syd')).toEqual([keep.id]);
    expect(await ids('region=syd&include_deleted=true')).toEqual([keep.id, other.id]);
  });

  it('leases: 409 while held, the lease shape with owner and expires_at, nonce required to mutate and release', async () => {
    const m = fake.seed('a', { region: 'lhr', image: 'i' });
    const base = `/v1/apps/a/machines/${m.id}`;
    const first = await call(fake, 'POST', `${base}/lease?ttl=60`, { ttl: 60, description: 'mine' });
    expect(first.status).toBe(200);
    const data = (first.json as { status: string; data: Record<string, unknown> }).data;
    expect(first.json.status).toBe('success');
    expect(data).toMatchObject({
      nonce: expect.any(String),
      owner: 'operator@example.com',
      description: 'mine',
    });
    expect(Number(data.expires_at) - Date.now() / 1000).toBeGreaterThan(50);
    const nonce = String(data.nonce);
    expect((await call(fake, 'POST', `${base}/lease`, { ttl: 60 })).status).toBe(409);
    expect((await call(fake, 'GET', `${base}/lease`)).json).toMatchObject({
      data: { owner: 'operator@example.com' },
    });
    expect((await call(fake, 'DELETE', `${base}?force=true`)).status).toBe(412);
    expect(
      (await call(fake, 'DELETE', `${base}/lease`, undefined, { 'fly-machine-lease-nonce': 'x' })).status,
    ).toBe(412);
    // Refresh with the nonce keeps the same nonce; release with it ends the lease.
    const refreshed = await call(
      fake,
      'POST',
      `${base}/lease?ttl=30`,
      {},
      { 'fly-machine-lease-nonce': nonce },
    );
    expect((refreshed.json as { data: { nonce: string } }).data.nonce).toBe(nonce);
    expect(
      (await call(fake, 'DELETE', `${base}/lease`, undefined, { 'fly-machine-lease-nonce': nonce })).status,
    ).toBe(200);
    expect((await call(fake, 'GET', `${base}/lease`)).status).toBe(404);
    expect((await call(fake, 'DELETE', `${base}?force=true`)).status).toBe(200);
  });

  // Stricter than Fly may be (it may take a macaroon as Bearer too): this keeps the FlyV1 path honest.
  it('wants FlyV1 for macaroon tokens and Bearer for others', async () => {
    const macaroon = await startFakeMachines({ token: 'fm2_abc', apps: ['a'] });
    try {
      const as = async (auth: string) =>
        (await request(`${macaroon.url}/v1/apps/a/machines`, { headers: { authorization: auth } }))
          .statusCode;
      expect(await as('FlyV1 fm2_abc')).toBe(200);
      expect(await as('Bearer fm2_abc')).toBe(401);
    } finally {
      await macaroon.close();
    }
  });
});
