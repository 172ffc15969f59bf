import { probeResult } from '@flyprobe/shared';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  batch,
  call,
  heartbeat,
  probeIdentity,
  READ_SECRET,
  result,
  startTestCollector,
  type TestCollector,
} from './testing/index.ts';

// Real servers and SQLite files on a busy shared machine: generous bounds, never wall-clock assertions.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 60_000 });

/**
 * Property-based ingest fuzzing against a real collector: whatever arrives, the answer is a 4xx with a
 * reason (or a 200 rejecting every result with its reason), never a 5xx, and nothing reaches the store.
 */

const LIMIT = 64 * 1024;
let tc: TestCollector;
let token: string;
const probe = probeIdentity('p-fuzz-1', 'ams');

beforeAll(async () => {
  tc = await startTestCollector({ FLYPROBE_INGEST_MAX_BYTES: String(LIMIT) });
  token = await tc.probeToken('p-fuzz-1', 'ams');
});
afterAll(async () => tc?.close());

async function send(raw: string | Uint8Array<ArrayBuffer>): Promise<{ status: number; body: unknown }> {
  const r = await call(`${tc.url}/v1/ingest`, {
    token,
    rawBody: raw,
    headers: { 'content-type': 'application/json' },
  });
  return { status: r.status, body: r.body };
}

/** The property every bad input must satisfy. */
function assertRefused(r: { status: number; body: unknown }, results?: number): void {
  expect(r.status).toBeLessThan(500);
  if (r.status === 200) {
    const body = r.body as {
      accepted: number;
      duplicate: number;
      rejected: { index: number; reason: string }[];
    };
    expect(body.accepted + body.duplicate).toBe(0);
    if (results !== undefined) expect(body.rejected).toHaveLength(results);
    for (const x of body.rejected) expect(x.reason.length).toBeGreaterThan(0);
  } else {
    expect(r.status).toBeGreaterThanOrEqual(400);
    const error = (r.body as { error: { code: string; message: string } }).error;
    expect(error.code.length).toBeGreaterThan(0);
    expect(error.message.length).toBeGreaterThan(0);
  }
}

async function storedRows(): Promise<number> {
  return (await tc.running.store.listResults({ limit: 10 })).length;
}

const validText = (seq: number) => JSON.stringify(result(seq));
const runs = { numRuns: 60 };

describe('ingest fuzzing', () => {
  it('refuses arbitrary bytes and strings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 512 })),
        async (raw) => {
          const body = typeof raw === 'string' ? raw : new Uint8Array(raw);
          assertRefused(await send(body));
        },
      ),
      runs,
    );
    expect(await storedRows()).toBe(0);
  });

  it('refuses arbitrary JSON documents', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (doc) => {
        assertRefused(await send(JSON.stringify(doc)));
      }),
      runs,
    );
    expect(await storedRows()).toBe(0);
  });

  it('rejects results with a wrong-typed or out-of-range field, naming it', async () => {
    const fields = [
      'seq',
      'target',
      'path',
      'protocol',
      'startedAt',
      'latencyMs',
      'phases',
      'outcome',
      'httpStatus',
      'edgeRegion',
    ];
    const bad = fc.oneof(
      fc.constantFrom(
        '-1',
        '-0.5',
        '1e309',
        '-1e309',
        'null',
        '"7"',
        '[]',
        '{}',
        'true',
        '""',
        '"FRA"',
        '1.5',
        '99999999999999999999',
      ),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fields),
        bad,
        fc.integer({ min: 0, max: 1_000_000 }),
        async (field, value, seq) => {
          const good = JSON.parse(validText(seq)) as Record<string, unknown>;
          const original = JSON.stringify(good[field]);
          // Splice the raw token in, so that values JSON.stringify cannot write (1e309 = Infinity) get through.
          const text = validText(seq).replace(`"${field}":${original}`, () => `"${field}":${value}`);
          // Only mutations the shared schema refuses are bad input (`"FRA"` is a fine target name).
          fc.pre(!probeResult.safeParse(JSON.parse(text)).success);
          const res = await send(`{"schemaVersion":1,"probe":${JSON.stringify(probe)},"results":[${text}]}`);
          assertRefused(res, 1);
          if (res.status === 200) {
            const reason = (res.body as { rejected: { reason: string }[] }).rejected[0]?.reason ?? '';
            expect(reason.startsWith(field) || reason.startsWith('unknown field')).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
    expect(await storedRows()).toBe(0);
  });

  it('rejects NaN, negative, pre-2020 and future timestamps with a reason naming the field', async () => {
    const now = Date.now();
    const timestamp = fc.oneof(
      fc.constantFrom('NaN', 'Infinity', '"2026-01-01"', 'null'),
      fc.integer({ min: -1e15, max: 1_577_836_799_999 }).map(String),
      fc.integer({ min: now + 6 * 60_000, max: now + 1e12 }).map(String),
      fc.double({ min: 1e16, max: 1e300, noNaN: true }).map(String),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('startedAt', 'heartbeat.at'),
        timestamp,
        fc.nat(1e6),
        async (where, ts, seq) => {
          let text: string;
          if (where === 'startedAt') {
            const r = validText(seq).replace(/"startedAt":\d+/, () => `"startedAt":${ts}`);
            text = `{"schemaVersion":1,"probe":${JSON.stringify(probe)},"results":[${r}]}`;
          } else {
            const hb = JSON.stringify(heartbeat()).replace(/"at":\d+/, () => `"at":${ts}`);
            text = `{"schemaVersion":1,"probe":${JSON.stringify(probe)},"results":[${validText(seq)}],"heartbeat":${hb}}`;
          }
          const res = await send(text);
          assertRefused(res, 1);
          const said = JSON.stringify(res.body);
          if (res.status !== 400 || !said.includes('invalid_json')) expect(said).toContain(where);
        },
      ),
      { numRuns: 120 },
    );
    expect(await storedRows()).toBe(0);
  });

  it('refuses deeply nested documents anywhere in the batch', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 100, max: 20_000 }),
        fc.constantFrom('[', '{"a":'),
        fc.constantFrom('top', 'results', 'result', 'phases', 'probe'),
        async (depth, open, where) => {
          const close = open === '[' ? ']' : '}';
          const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
          const r = validText(1);
          const text = {
            top: nested,
            results: `{"schemaVersion":1,"probe":${JSON.stringify(probe)},"results":${nested}}`,
            result: `{"schemaVersion":1,"probe":${JSON.stringify(probe)},"results":[${nested}]}`,
            phases: `{"schemaVersion":1,"probe":${JSON.stringify(probe)},"results":[${r.replace(/"phases":\{[^}]*\}/, () => `"phases":${nested}`)}]}`,
            probe: `{"schemaVersion":1,"probe":${nested},"results":[${r}]}`,
          }[where];
          assertRefused(await send(text));
        },
      ),
      { numRuns: 40 },
    );
    expect(await storedRows()).toBe(0);
  });

  it('refuses oversized bodies with 413', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: LIMIT + 1, max: LIMIT * 4 }), async (size) => {
        const head = `{"schemaVersion":1,"probe":${JSON.stringify(probe)},"results":[],"pad":"`;
        const res = await send(`${head}${'x'.repeat(size - head.length - 2)}"}`);
        expect(res.status).toBe(413);
        expect(JSON.stringify(res.body)).toContain(`${LIMIT} bytes`);
      }),
      { numRuns: 10 },
    );
    expect(await storedRows()).toBe(0);
  });

  it('still stores a well-formed batch afterwards (the fuzzing did not wedge anything)', async () => {
    const r = await call(`${tc.url}/v1/ingest`, { token, body: batch(probe, [result(1)]) });
    expect(r.body).toEqual({ accepted: 1, duplicate: 0, rejected: [] });
    expect(await storedRows()).toBe(1);
  });
});

describe('read API fuzzing', () => {
  /** Every GET route with the parameters it knows, so that values of known parameters get fuzzed too. */
  const ROUTES: Record<string, string[]> = {
    '/v1/results': ['probeId', 'probeRegion', 'target', 'path', 'protocol', 'since', 'until', 'limit'],
    '/v1/matrix': ['target', 'path', 'protocol', 'metric', 'window'],
    '/v1/matrix.csv': ['target', 'path', 'protocol', 'metric', 'window'],
    '/v1/series': ['target', 'path', 'protocol', 'metric', 'from', 'to', 'window', 'step'],
    '/v1/routes': ['target', 'window'],
    '/v1/probes': [],
    '/v1/regions': [],
    '/v1/targets': [],
    '/v1/config': ['probeId'],
  };
  const value = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(
      '-5',
      'hello 1',
      '1e308',
      '9'.repeat(30),
      '15m',
      '0m',
      'p99',
      'iad',
      'zzz',
      '2026-02-31T00:00:00Z',
    ),
    fc.integer().map(String),
  );
  const pair = (names: string[]) =>
    fc.tuple(
      names.length > 0
        ? fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 12 }))
        : fc.string({ maxLength: 12 }),
      value,
    );
  /** Percent-encoded pairs, plus raw fragments a client might send unencoded or malformed (`%zz`, `&&=`). */
  const rawFragment = fc.constantFrom('%', '%zz', '%E0%A4%A', '&&=', '==', '=%00', '+', '%2', 'a[]=1', ';');

  const request = fc.constantFrom(...Object.entries(ROUTES)).chain(([route, names]) =>
    fc.record({
      route: fc.constant(route),
      pairs: fc.array(pair(names), { maxLength: 4 }),
      raw: fc.array(rawFragment, { maxLength: 2 }),
    }),
  );

  it('never answers a random query string with a 5xx, and every refusal says why', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ route, pairs, raw }) => {
        const query = [
          ...pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`),
          ...raw,
        ].join('&');
        const r = await call(`${tc.url}${route}?${query}`, {
          token: route === '/v1/config' ? token : READ_SECRET,
        });
        expect(r.status, `${route}?${query}`).toBeLessThan(500);
        if (r.status >= 400) {
          const error = (r.body as { error: { code: string; message: string } }).error;
          expect(error.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
    expect((await call(`${tc.url}/readyz`)).status).toBe(200);
  });
});
