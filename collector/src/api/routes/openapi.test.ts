import { type AlertListResponse, collectorApi, type RouteContract, silentLogger } from '@flyprobe/shared';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { alertsContract } from '../../alerts/api.ts';
import { alertingPlugin } from '../../alerts/plugin.ts';
import { alertingSettingsFromEnv } from '../../alerts/settings.ts';
import { defaultDetectionConfig } from '../../detect/config.ts';
import {
  ADMIN_SECRET,
  batch,
  heartbeat,
  probeIdentity,
  probeToken,
  READ_SECRET,
  result,
  startTestCollector,
  type TestCollector,
} from '../../testing/index.ts';
import { until } from '../../testing/prometheus-daemons.ts';
import { restartedMachineResults } from '../../testing/restart-results.ts';

/**
 * The OpenAPI document against the collector that serves it: its operations are exactly the app's routes,
 * and every route answers (success and error statuses, with tokens of each role) bodies its generated
 * schema for that status accepts. Real HTTP on loopback, real SQLite, the real alerting plugin.
 */
vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

type Doc = { paths: Record<string, Record<string, Operation>> };
type Operation = { 'x-roles'?: string[]; responses: Record<string, { content?: Record<string, unknown> }> };
interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

const METRICS_SECRET = 'metrics-secret-0123456789';
const INGEST_MAX_BYTES = 16_384;
/** Why the test does not provoke a status the document lists, or undefined when it does. */
const notProvoked = (status: string): string | undefined =>
  status === '503'
    ? 'needs a collector that is shutting down (or, for /readyz, a store that does not answer)'
    : undefined;
const CONTRACT: readonly RouteContract[] = [
  ...collectorApi.COLLECTOR_ROUTES,
  ...Object.values(alertsContract),
];

let tc: TestCollector;
/** The collector's clock, moved by hand so answers (and their ETags) stay put between two calls. */
let clock = Date.now();
let doc: Doc;
const tokens: Record<string, string> = { admin: ADMIN_SECRET, read: READ_SECRET };
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
// The document's own fields around the schemas it holds.
ajv.addVocabulary(['openapi', 'info', 'paths', 'components', 'security']);
const validators = new Map<string, ValidateFunction>();
/** `get /v1/matrix 200` for every answer seen. */
const exercised = new Set<string>();
/** A request per operation that succeeded, to repeat with other roles and If-None-Match. */
const succeeded = new Map<string, { path: string; role: string }>();

const pointer = (...segments: string[]) =>
  segments.map((s) => encodeURIComponent(s.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/');

function validator(docPath: string, method: string, status: string): ValidateFunction {
  const ref = `openapi.json#/${pointer('paths', docPath, method, 'responses', status, 'content', 'application/json', 'schema')}`;
  let v = validators.get(ref);
  if (!v) {
    v = ajv.compile({ $ref: ref });
    validators.set(ref, v);
  }
  return v;
}

/** Checks one live answer against the document: status listed, body (or none) as the schema for it says. */
function check(method: string, docPath: string, a: Answer): void {
  const op = `${method} ${docPath}`;
  const responses = doc.paths[docPath]?.[method]?.responses;
  if (!responses) throw new Error(`${op} is not in the document`);
  const spec = responses[String(a.status)];
  if (!spec)
    throw new Error(`${op} answered ${a.status}, which the document does not list: ${a.text.slice(0, 300)}`);
  exercised.add(`${op} ${a.status}`);
  if (!spec.content) {
    expect(a.text, `${op} ${a.status} has no body`).toBe('');
    return;
  }
  const type = (a.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  if (type !== 'application/json') {
    expect(Object.keys(spec.content), `${op} ${a.status} answered ${type}`).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^(${type.replace('/', '\\/')}|\\*/\\*)$`))]),
    );
    return;
  }
  expect(spec.content['application/json'], `${op} ${a.status} answered JSON`).toBeDefined();
  const validate = validator(docPath, method, String(a.status));
  if (!validate(a.body))
    throw new Error(`${op} ${a.status}: ${ajv.errorsText(validate.errors)} in ${a.text.slice(0, 500)}`);
  // The schema is strict: a field the document does not name is refused.
  if (a.body && typeof a.body === 'object' && !Array.isArray(a.body))
    expect(validate({ ...a.body, notInTheDocument: 1 }), `${op} ${a.status} refuses unknown fields`).toBe(
      false,
    );
}

interface Init {
  role?: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

/** Calls `op` (`get /v1/tokens/{id}`) at `path` and checks the answer against the document. */
async function hit(op: string, path: string, init: Init = {}): Promise<Answer> {
  const [method = '', docPath = ''] = op.split(' ');
  const headers: Record<string, string> = { ...init.headers };
  const token = init.role ? tokens[init.role] : undefined;
  if (init.role && !token) throw new Error(`no ${init.role} token`);
  if (token) headers.authorization = `Bearer ${token}`;
  let body = init.raw;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${tc.url}${path}`, {
    method: method.toUpperCase(),
    headers,
    body,
    redirect: 'manual',
  });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json') && text !== '';
  const a = { status: res.status, headers: res.headers, text, body: json ? JSON.parse(text) : undefined };
  check(method, docPath, a);
  if (a.status < 300 && init.role && !init.headers && !succeeded.has(op))
    succeeded.set(op, { path, role: init.role });
  return a;
}

async function expectStatus(status: number, op: string, path: string, init: Init = {}): Promise<Answer> {
  const a = await hit(op, path, init);
  expect(a.status, `${op} at ${path}: ${a.text.slice(0, 300)}`).toBe(status);
  return a;
}

beforeAll(async () => {
  const settings = alertingSettingsFromEnv({ FLYPROBE_ALERT_EVAL_MS: '200' });
  settings.detection = {
    ...defaultDetectionConfig(),
    restart: { ...defaultDetectionConfig().restart, holdMs: 60_000 },
  };
  tc = await startTestCollector(
    {
      FLYPROBE_METRICS_TOKEN: METRICS_SECRET,
      FLYPROBE_INGEST_MAX_BYTES: String(INGEST_MAX_BYTES),
      // Burst enough for the probe's own batches; the rate-limit check spends a second token's.
      FLYPROBE_INGEST_RATE: '0.01',
      FLYPROBE_INGEST_BURST: '25',
    },
    { plugins: [alertingPlugin({ settings, log: silentLogger })], now: () => clock },
  );
  tokens.probe = await probeToken(tc.url, 'ams-1', 'ams');
  const r = await fetch(`${tc.url}/openapi.json`);
  doc = (await r.json()) as Doc;
  ajv.addSchema(doc, 'openapi.json');
});
afterAll(async () => tc?.close());

describe('the generated OpenAPI document', () => {
  it('has one operation per route of the contract, and the contract is exactly the routes the app serves', () => {
    const key = (method: string, path: string) => `${method.toLowerCase()} ${path}`;
    // Hono lists a route once per handler (role guard, then the handler): the set is what it serves.
    const served = [
      ...new Set(tc.running.app.routes.filter((r) => r.method !== 'ALL').map((r) => key(r.method, r.path))),
    ];
    const declared = CONTRACT.map((r) => key(r.method, r.path));
    expect(new Set(declared).size).toBe(declared.length);
    expect([...served].sort()).toEqual([...declared].sort());
    // `/dashboard` and `/dashboard/` are one operation in the document.
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m} ${path}`),
    );
    expect(documented.length).toBe(declared.length - 1);
  });

  it('describes every live answer of every route, for every role, success and error', async () => {
    // Open routes.
    await expectStatus(200, 'get /healthz', '/healthz');
    await expectStatus(200, 'get /readyz', '/readyz');
    await expectStatus(401, 'get /metrics', '/metrics');
    await expectStatus(200, 'get /metrics', '/metrics', {
      headers: { authorization: `Bearer ${METRICS_SECRET}` },
    });
    await expectStatus(200, 'get /openapi.json', '/openapi.json');
    await expectStatus(302, 'get /', '/');
    await expectStatus(301, 'get /dashboard', '/dashboard');
    const page = await expectStatus(200, 'get /dashboard', '/dashboard/');
    await expectStatus(304, 'get /dashboard', '/dashboard/', {
      headers: { 'if-none-match': page.headers.get('etag') ?? '' },
    });
    const file = await expectStatus(200, 'get /dashboard/{file}', '/dashboard/main.js');
    await expectStatus(304, 'get /dashboard/{file}', '/dashboard/main.js', {
      headers: { 'if-none-match': file.headers.get('etag') ?? '' },
    });
    await expectStatus(404, 'get /dashboard/{file}', '/dashboard/nothing.js');

    // Targets.
    await expectStatus(200, 'put /v1/targets', '/v1/targets', {
      role: 'admin',
      body: [
        {
          name: 'web',
          app: 'web-app',
          host: 'web.fly.dev',
          regions: ['ams', 'fra'],
          paths: ['anycast', 'pinned', 'flycast'],
        },
      ],
    });
    await expectStatus(400, 'put /v1/targets', '/v1/targets', {
      role: 'admin',
      body: [{ name: 'web', colour: 'red' }],
    });
    await expectStatus(200, 'get /v1/targets', '/v1/targets', { role: 'read' });

    // Ingest: results that fire a restart alert (the echo's Machine started anew), and every refusal.
    const now = Date.now();
    const probe = probeIdentity('ams-1', 'ams', { echoAddress: '[fdaa::1]:8080' });
    const results = [
      ...restartedMachineResults(now),
      result(3, { startedAt: now - 2000, edgeRegion: 'ams', servedRegion: 'fra' }),
      result(4, { startedAt: now + 3_600_000 }),
    ];
    const stored = await expectStatus(200, 'post /v1/ingest', '/v1/ingest', {
      role: 'probe',
      body: batch(probe, results, { heartbeat: heartbeat() }),
    });
    expect(stored.body).toMatchObject({ accepted: 3, duplicate: 0, rejected: [{ index: 3 }] });
    await expectStatus(400, 'post /v1/ingest', '/v1/ingest', { role: 'probe', body: { schemaVersion: 2 } });
    await expectStatus(403, 'post /v1/ingest', '/v1/ingest', {
      role: 'probe',
      body: batch(probeIdentity('ams-2', 'ams'), []),
    });
    tokens.spender = await probeToken(tc.url, 'ams-2', 'ams', 'spender');
    let limited: Answer | undefined;
    for (let i = 0; i < 30 && !limited; i++) {
      const a = await hit('post /v1/ingest', '/v1/ingest', {
        role: 'spender',
        body: batch(probeIdentity('ams-2', 'ams'), []),
      });
      if (a.status === 429) limited = a;
    }
    expect(limited?.headers.get('retry-after')).toMatch(/^\d+$/);

    // Probe configuration.
    const cfg = await expectStatus(200, 'get /v1/config', '/v1/config', { role: 'probe' });
    await expectStatus(304, 'get /v1/config', '/v1/config', {
      role: 'probe',
      headers: { 'if-none-match': cfg.headers.get('etag') ?? '' },
    });
    await expectStatus(400, 'get /v1/config', '/v1/config?probeId=not%20an%20id', { role: 'probe' });
    await expectStatus(403, 'get /v1/config', '/v1/config?probeId=ams-2', { role: 'probe' });

    // Tokens.
    const made = await expectStatus(201, 'post /v1/tokens', '/v1/tokens', {
      role: 'admin',
      body: { role: 'read', name: 'dashboard', expiresAt: '2099-01-01T00:00:00Z' },
    });
    await expectStatus(400, 'post /v1/tokens', '/v1/tokens', {
      role: 'admin',
      body: { role: 'probe', probeId: 'x' },
    });
    await expectStatus(200, 'get /v1/tokens', '/v1/tokens', { role: 'admin' });
    const id = (made.body as { id: string }).id;
    await expectStatus(204, 'delete /v1/tokens/{id}', `/v1/tokens/${id}`, { role: 'admin' });
    await expectStatus(404, 'delete /v1/tokens/{id}', `/v1/tokens/${id}`, { role: 'admin' });
    await expectStatus(400, 'delete /v1/tokens/{id}', `/v1/tokens/${'x'.repeat(129)}`, { role: 'admin' });

    // Reads, with the results stored above inside their windows.
    clock = Date.now();
    await expectStatus(200, 'get /v1/matrix', '/v1/matrix?target=web&path=pinned', { role: 'read' });
    await expectStatus(200, 'get /v1/matrix', '/v1/matrix?target=web&path=pinned', {
      role: 'read',
      headers: { accept: 'text/csv' },
    });
    await expectStatus(400, 'get /v1/matrix', '/v1/matrix?path=nowhere', { role: 'read' });
    await expectStatus(200, 'get /v1/matrix.csv', '/v1/matrix.csv?target=web', { role: 'read' });
    await expectStatus(400, 'get /v1/matrix.csv', '/v1/matrix.csv', { role: 'read' });
    await expectStatus(200, 'get /v1/series', '/v1/series?target=web&path=pinned&from=ams&to=fra', {
      role: 'read',
    });
    await expectStatus(400, 'get /v1/series', '/v1/series?target=web&from=ams&to=fra&step=90s', {
      role: 'read',
    });
    await expectStatus(200, 'get /v1/routes', '/v1/routes?target=web', { role: 'read' });
    await expectStatus(400, 'get /v1/routes', '/v1/routes?path=pinned', { role: 'read' });
    await expectStatus(200, 'get /v1/routes/timeline', '/v1/routes/timeline?target=web', { role: 'read' });
    await expectStatus(400, 'get /v1/routes/timeline', '/v1/routes/timeline?target=web&step=1s', {
      role: 'read',
    });
    await expectStatus(200, 'get /v1/probes', '/v1/probes', { role: 'read' });
    await expectStatus(400, 'get /v1/probes', '/v1/probes?region=ams', { role: 'read' });
    await expectStatus(200, 'get /v1/regions', '/v1/regions', { role: 'read' });
    await expectStatus(400, 'get /v1/regions', '/v1/regions?all=1', { role: 'read' });
    const raw = await expectStatus(200, 'get /v1/results', '/v1/results?target=web', { role: 'read' });
    expect((raw.body as { results: unknown[] }).results).toHaveLength(3);
    await expectStatus(400, 'get /v1/results', '/v1/results?limit=0', { role: 'read' });

    // Alerts.
    const firing = await until('a firing restart alert', async () => {
      const r = await hit('get /v1/alerts', '/v1/alerts?state=firing&rule=restart', { role: 'read' });
      return (r.body as AlertListResponse).alerts[0];
    });
    await expectStatus(400, 'get /v1/alerts', '/v1/alerts?state=burning', { role: 'read' });
    await expectStatus(200, 'get /v1/alerts/{id}', `/v1/alerts/${firing.id}`, { role: 'read' });
    await expectStatus(404, 'get /v1/alerts/{id}', '/v1/alerts/nothing', { role: 'read' });
    await expectStatus(200, 'post /v1/alerts/{id}/ack', `/v1/alerts/${firing.id}/ack`, {
      role: 'admin',
      body: {},
    });
    await expectStatus(200, 'post /v1/alerts/{id}/ack', `/v1/alerts/${firing.id}/ack`, {
      role: 'admin',
      body: { by: 'oncall', comment: 'looking' },
    });
    await expectStatus(400, 'post /v1/alerts/{id}/ack', `/v1/alerts/${firing.id}/ack`, {
      role: 'admin',
      body: { colour: 'red' },
    });
    await expectStatus(404, 'post /v1/alerts/{id}/ack', '/v1/alerts/nothing/ack', {
      role: 'admin',
      body: {},
    });

    // Silences.
    const silence = await expectStatus(201, 'post /v1/silences', '/v1/silences', {
      role: 'admin',
      body: { matchers: [{ name: 'rule', value: 'restart' }], durationMs: 3_600_000, comment: 'deploy' },
    });
    await expectStatus(400, 'post /v1/silences', '/v1/silences', { role: 'admin', body: { matchers: [] } });
    await expectStatus(200, 'get /v1/silences', '/v1/silences', { role: 'read' });
    const silenceId = (silence.body as { id: string }).id;
    await expectStatus(200, 'delete /v1/silences/{id}', `/v1/silences/${silenceId}`, { role: 'admin' });
    await expectStatus(404, 'delete /v1/silences/{id}', `/v1/silences/${silenceId}`, { role: 'admin' });

    // Receivers.
    const receiver = await expectStatus(201, 'post /v1/receivers', '/v1/receivers', {
      role: 'admin',
      body: {
        kind: 'webhook',
        url: 'http://user:pw@127.0.0.1:9/hook?key=k',
        secret: 'receiver-secret-0123456789',
      },
    });
    await expectStatus(400, 'post /v1/receivers', '/v1/receivers', {
      role: 'admin',
      body: { kind: 'webhook', url: 'ftp://127.0.0.1/' },
    });
    await expectStatus(200, 'get /v1/receivers', '/v1/receivers', { role: 'admin' });
    const receiverId = (receiver.body as { id: string }).id;
    await expectStatus(204, 'delete /v1/receivers/{id}', `/v1/receivers/${receiverId}`, { role: 'admin' });
    await expectStatus(404, 'delete /v1/receivers/{id}', `/v1/receivers/${receiverId}`, { role: 'admin' });
    await expectStatus(400, 'delete /v1/receivers/{id}', '/v1/receivers/env:webhook', { role: 'admin' });

    // Every operation behind a token: 401 without one, 403 with each role it does not allow, the
    // success again with each role it allows (GETs), and 304 on revalidation (every /v1 answer has an ETag).
    for (const [docPath, item] of Object.entries(doc.paths))
      for (const [method, operation] of Object.entries(item)) {
        const roles = operation['x-roles'];
        if (!roles) continue;
        const op = `${method} ${docPath}`;
        const path = docPath.replace(/\{\w+\}/g, 'x');
        await expectStatus(401, op, path);
        for (const role of ['probe', 'read', 'admin'].filter((r) => !roles.includes(r)))
          await expectStatus(403, op, path, {
            role,
            body: method === 'get' || method === 'delete' ? undefined : {},
          });
        const ok = succeeded.get(op);
        if (method !== 'get' || !ok) continue;
        for (const role of roles) {
          // An alert's evidence may be updated between the two calls; then the pair is tried again.
          let revalidated: Answer | undefined;
          for (let attempt = 0; attempt < 5 && revalidated?.status !== 304; attempt++) {
            const again = await hit(op, ok.path, { role });
            expect(again.status, `${op} as ${role}`).toBe(200);
            revalidated = await hit(op, ok.path, {
              role,
              headers: { 'if-none-match': again.headers.get('etag') ?? '' },
            });
          }
          expect(revalidated?.status, `${op} as ${role} revalidated`).toBe(304);
        }
      }

    // Every operation with a body: 415 for a body that is not JSON, 413 past its limit.
    for (const route of CONTRACT) {
      if (!route.body) continue;
      const op = `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`;
      const path = route.path.replace(/:\w+/g, 'x');
      const role = Array.isArray(route.auth) && route.auth.includes('probe') ? 'probe' : 'admin';
      await expectStatus(415, op, path, { role, raw: 'a=1', headers: { 'content-type': 'text/plain' } });
      const limit = route.body.maxBytes ?? INGEST_MAX_BYTES;
      await expectStatus(413, op, path, {
        role,
        raw: `"${'x'.repeat(limit)}"`,
        headers: { 'content-type': 'application/json' },
      });
    }
  });

  it('saw every status the document lists, except the ones named with a reason', () => {
    const listed = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).flatMap(([method, op]) =>
        Object.keys(op.responses).map((s) => `${method} ${path} ${s}`),
      ),
    );
    const missing = listed.filter((s) => !exercised.has(s) && !notProvoked(s.split(' ')[2] ?? ''));
    expect(missing).toEqual([]);
    expect(exercised.size).toBe(listed.filter((s) => !notProvoked(s.split(' ')[2] ?? '')).length);
  });
});
