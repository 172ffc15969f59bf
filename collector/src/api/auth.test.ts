import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ADMIN_SECRET,
  batch,
  call,
  createToken,
  probeIdentity,
  READ_SECRET,
  result,
  startTestCollector,
  type TestCollector,
} from '../testing/index.ts';

// Real servers and SQLite files on a busy shared machine: generous bounds, never wall-clock assertions.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

type Role = 'none' | 'invalid' | 'probe' | 'read' | 'admin' | 'storedRead' | 'storedAdmin';

let tc: TestCollector;
const secrets: Partial<Record<Role, string>> = {
  invalid: 'not-a-real-token-at-all',
  read: READ_SECRET,
  admin: ADMIN_SECRET,
};
let seq = 0;

beforeAll(async () => {
  tc = await startTestCollector();
  secrets.probe = await tc.probeToken('p-fra-1', 'fra');
  secrets.storedRead = await createToken(tc.url, { role: 'read', name: 'dashboard' });
  secrets.storedAdmin = await createToken(tc.url, { role: 'admin', name: 'ops' });
});
afterAll(async () => tc?.close());

interface Endpoint {
  name: string;
  request: () => { method: string; path: string; body?: unknown };
  allowed: Role[];
}

const endpoints: Endpoint[] = [
  {
    name: 'POST /v1/ingest',
    request: () => ({
      method: 'POST',
      path: '/v1/ingest',
      body: batch(probeIdentity('p-fra-1', 'fra'), [result(seq++)]),
    }),
    allowed: ['probe'],
  },
  {
    name: 'GET /v1/config',
    request: () => ({ method: 'GET', path: '/v1/config' }),
    allowed: ['probe', 'admin', 'storedAdmin'],
  },
  {
    name: 'GET /v1/targets',
    request: () => ({ method: 'GET', path: '/v1/targets' }),
    allowed: ['read', 'admin', 'storedRead', 'storedAdmin'],
  },
  {
    name: 'PUT /v1/targets',
    request: () => ({ method: 'PUT', path: '/v1/targets', body: [{ name: 'web', host: 'web.fly.dev' }] }),
    allowed: ['admin', 'storedAdmin'],
  },
  {
    name: 'GET /v1/tokens',
    request: () => ({ method: 'GET', path: '/v1/tokens' }),
    allowed: ['admin', 'storedAdmin'],
  },
  {
    name: 'POST /v1/tokens',
    request: () => ({ method: 'POST', path: '/v1/tokens', body: { role: 'read' } }),
    allowed: ['admin', 'storedAdmin'],
  },
  ...[
    '/v1/matrix?target=web',
    '/v1/matrix.csv?target=web',
    '/v1/series?target=web&from=fra&to=fra',
    '/v1/routes',
    '/v1/probes',
    '/v1/regions',
    '/v1/results',
  ].map(
    (path): Endpoint => ({
      name: `GET ${path}`,
      request: () => ({ method: 'GET', path }),
      allowed: ['read', 'admin', 'storedRead', 'storedAdmin'],
    }),
  ),
];

const roles: Role[] = ['none', 'invalid', 'probe', 'read', 'admin', 'storedRead', 'storedAdmin'];

describe('auth matrix', () => {
  for (const ep of endpoints) {
    it(`${ep.name}: 401 without or with a bad token, 403 for a wrong role, 2xx for allowed roles`, async () => {
      for (const role of roles) {
        const req = ep.request();
        const r = await call(`${tc.url}${req.path}`, {
          method: req.method,
          token: secrets[role],
          body: req.body,
        });
        const expected = role === 'none' || role === 'invalid' ? 401 : ep.allowed.includes(role) ? 'ok' : 403;
        if (expected === 'ok') expect([200, 201], `${role} -> ${r.text}`).toContain(r.status);
        else {
          expect(r.status, `${role} -> ${r.text}`).toBe(expected);
          expect((r.body as { error: { code: string } }).error.code).toBe(
            expected === 401 ? 'unauthorized' : 'forbidden',
          );
        }
        if (expected === 401) expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="flyprobe"/);
      }
    });
  }

  it('rejects a malformed Authorization header with 401 naming the expected form', async () => {
    const r = await call(`${tc.url}/v1/probes`, { headers: { authorization: `Basic ${btoa('a:b')}` } });
    expect(r.status).toBe(401);
    expect(r.text).toContain('Bearer <token>');
  });

  it('stops accepting a revoked token', async () => {
    const secret = await createToken(tc.url, { role: 'read', name: 'short-lived' });
    expect((await call(`${tc.url}/v1/probes`, { token: secret })).status).toBe(200);
    const list = await call(`${tc.url}/v1/tokens`, { token: ADMIN_SECRET });
    const record = (list.body as { tokens: { id: string; name: string | null }[] }).tokens.find(
      (t) => t.name === 'short-lived',
    );
    expect(record).toBeDefined();
    expect(JSON.stringify(list.body)).not.toContain(secret);
    const del = await call(`${tc.url}/v1/tokens/${record?.id}`, { method: 'DELETE', token: ADMIN_SECRET });
    expect(del.status).toBe(204);
    expect((await call(`${tc.url}/v1/probes`, { token: secret })).status).toBe(401);
    expect(
      (await call(`${tc.url}/v1/tokens/${record?.id}`, { method: 'DELETE', token: ADMIN_SECRET })).status,
    ).toBe(404);
  });

  it('validates token requests naming the field', async () => {
    const r = await call(`${tc.url}/v1/tokens`, {
      token: ADMIN_SECRET,
      body: { role: 'root', probeId: 'x y' },
    });
    expect(r.status).toBe(400);
    const fields = (r.body as { error: { fields: { field: string }[] } }).error.fields.map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['role', 'probeId']));
  });
});

describe('probe id binding', () => {
  it('refuses a batch that claims another probe id, storing nothing', async () => {
    const r = await call(`${tc.url}/v1/ingest`, {
      token: secrets.probe,
      body: batch(probeIdentity('p-ams-9', 'ams'), [result(1)]),
    });
    expect(r.status).toBe(403);
    expect(r.text).toContain('p-fra-1');
    const results = await tc.running.store.listResults({ probeId: 'p-ams-9', limit: 10 });
    expect(results).toHaveLength(0);
    const probes = await tc.running.store.listProbes();
    expect(probes.map((p) => p.probeId)).not.toContain('p-ams-9');
  });

  it('refuses to create a probe token without its binding outside lab mode', async () => {
    const r = await call(`${tc.url}/v1/tokens`, {
      token: ADMIN_SECRET,
      body: { role: 'probe', name: 'fleet' },
    });
    expect(r.status).toBe(400);
    const fields = (r.body as { error: { fields: { field: string }[] } }).error.fields.map((f) => f.field);
    expect(fields).toEqual(['probeId', 'app', 'region']);
  });

  it('refuses a bound token asking for another probe config', async () => {
    const r = await call(`${tc.url}/v1/config?probeId=p-ams-9`, { token: secrets.probe });
    expect(r.status).toBe(403);
  });
});
