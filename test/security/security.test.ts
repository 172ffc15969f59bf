import { MAX_MESH_PEERS, parseWith, probeConfig } from '@flyprobe/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rawControlCharacters } from '../../cli/src/output/testing/raw-controls.ts';
import { alertingSettingsFromEnv } from '../../collector/src/alerts/settings.ts';
import { silencing } from '../../collector/src/alerts/silences.ts';
import {
  ADMIN_SECRET,
  batch,
  call,
  createToken,
  heartbeat,
  probeIdentity,
  probeToken,
  READ_SECRET,
  result,
  startTestCollector,
  type TestCollector,
} from '../../collector/src/testing/index.ts';
import { Reporter } from '../../probe/src/reporter/reporter.ts';
import {
  fastReporterSettings,
  staticHeartbeat,
  testOutput,
  until,
} from '../../probe/src/reporter/testing/fixtures.ts';
import { runMain } from '../cli/testing/run-main.ts';

/**
 * Issue 11: each attack is made against a real collector on loopback (real HTTP, real SQLite) the way a
 * holder of one probe token (or a hostile operator input) would make it; each test asserts the refusal,
 * the field it names, and that nothing reached the store.
 */

// Real servers and SQLite files on a busy shared machine: generous bounds, never wall-clock assertions.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let tc: TestCollector;
let fra: string;
const FRA = probeIdentity('fra-a1b2c3', 'fra');

beforeAll(async () => {
  tc = await startTestCollector({}, { alerting: { settings: alertingSettingsFromEnv({}) } });
  fra = await tc.probeToken(FRA.probeId, 'fra');
});
afterAll(async () => tc?.close());

interface ErrorBody {
  error: { code: string; message: string; fields?: { field: string; message: string }[] };
}
interface IngestAnswer {
  accepted: number;
  duplicate: number;
  rejected: { index: number; reason: string }[];
}
const fieldsOf = (body: unknown) => ((body as ErrorBody).error.fields ?? []).map((f) => f.field);

function ingest(token: string, body: unknown) {
  return call(`${tc.url}/v1/ingest`, { token, body });
}

async function storedFor(probeId: string): Promise<number> {
  return (await tc.running.store.listResults({ probeId, limit: 100 })).length;
}

async function probeKnown(probeId: string): Promise<boolean> {
  return (await tc.running.store.listProbes()).some((p) => p.probeId === probeId);
}

async function metric(name: string, labels = ''): Promise<number> {
  const text = (await call(`${tc.url}/metrics`)).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('1. probe identity cannot be borrowed', () => {
  it('a bound token refuses another probe id, app or region with 403 naming the field, storing nothing', async () => {
    const attempts: [Partial<typeof FRA>, string][] = [
      [{ probeId: 'iad-ffffff' }, 'probe.probeId'],
      [{ app: 'someone-else' }, 'probe.app'],
      [{ region: 'iad' }, 'probe.region'],
    ];
    for (const [change, field] of attempts) {
      const forged = { ...FRA, ...change, probeId: change.probeId ?? 'fra-a1b2c3' };
      const r = await ingest(
        fra,
        batch(forged, [result(1, { servedRegion: 'iad' })], { heartbeat: heartbeat() }),
      );
      expect(r.status, field).toBe(403);
      expect(fieldsOf(r.body)).toEqual([field]);
    }
    expect(await storedFor('fra-a1b2c3')).toBe(0);
    expect(await storedFor('iad-ffffff')).toBe(0);
    expect(await probeKnown('fra-a1b2c3')).toBe(false);
    expect(await probeKnown('iad-ffffff')).toBe(false);
    expect(await metric('flyprobe_collector_ingest_rejects_total', '{reason="probe_mismatch"}')).toBe(3);
    // The token's own identity still works: the refusals were about the binding, not the token.
    const own = await ingest(fra, batch(FRA, [result(1)]));
    expect(own.body).toEqual({ accepted: 1, duplicate: 0, rejected: [] });
  });

  it('unbound probe tokens exist only in lab mode (FLYPROBE_ALLOW_UNBOUND_PROBES=1)', async () => {
    const create = await call(`${tc.url}/v1/tokens`, { token: ADMIN_SECRET, body: { role: 'probe' } });
    expect(create.status).toBe(400);
    expect(fieldsOf(create.body)).toEqual(['probeId', 'app', 'region']);
    // An unbound token left in the store by an older version cannot ingest either.
    const legacy = await tc.running.store.createToken({ role: 'probe', name: 'old fleet token' });
    const r = await ingest(legacy.secret, batch(probeIdentity('ams-000001', 'ams'), [result(1)]));
    expect(r.status).toBe(403);
    expect(fieldsOf(r.body)).toEqual(['probe.probeId']);
    expect((await call(`${tc.url}/v1/config`, { token: legacy.secret })).status).toBe(403);
    expect(await storedFor('ams-000001')).toBe(0);
    expect(await probeKnown('ams-000001')).toBe(false);

    const lab = await startTestCollector({ FLYPROBE_ALLOW_UNBOUND_PROBES: '1' });
    try {
      const token = await createToken(lab.url, { role: 'probe' });
      const ok = await call(`${lab.url}/v1/ingest`, {
        token,
        body: batch(probeIdentity('ams-000001', 'ams'), [result(1)]),
      });
      expect(ok.body).toEqual({ accepted: 1, duplicate: 0, rejected: [] });
    } finally {
      await lab.close();
    }
  });
});

describe('2. region codes come from the catalog', () => {
  it('refuses an unknown probe region (400) and results naming unknown or edge-only regions', async () => {
    const r = await ingest(fra, batch({ ...FRA, region: 'zzz' }, [result(10)]));
    expect(r.status).toBe(400);
    expect(fieldsOf(r.body)).toEqual(['probe.region']);
    const token = await call(`${tc.url}/v1/tokens`, {
      token: ADMIN_SECRET,
      body: { role: 'probe', probeId: 'zzz-000001', app: 'probes-test', region: 'zzz' },
    });
    expect(fieldsOf(token.body)).toEqual(['region']);

    const results = await ingest(
      fra,
      batch(FRA, [
        result(11, { servedRegion: 'zzz' }),
        result(12, { path: 'pinned', targetRegion: 'dxb' }),
        result(13, { edgeRegion: 'dxb' }),
      ]),
    );
    const answer = results.body as IngestAnswer;
    expect(answer.accepted).toBe(1); // an edge-only code is fine where an edge region is meant
    expect(answer.rejected.map((x) => x.reason)).toEqual([
      'servedRegion: must be a Fly region where Machines run (see GET /v1/regions)',
      'targetRegion: must be a Fly region where Machines run (see GET /v1/regions)',
    ]);
    const stored = await tc.running.store.listResults({ probeId: FRA.probeId, limit: 100 });
    expect(stored.map((x) => x.seq).sort()).toEqual([1, 13]);
  });
});

describe('3. the mesh cannot be pointed anywhere', () => {
  it('refuses an echo address outside 6PN naming probe.echoAddress, and never serves one as a peer', async () => {
    for (const address of ['169.254.169.254:80', '127.0.0.1:8080', 'metadata.internal:80', '[::1]:80']) {
      const r = await ingest(
        fra,
        batch({ ...FRA, echoAddress: address }, [result(20)], { heartbeat: heartbeat() }),
      );
      expect(r.status, address).toBe(400);
      expect(fieldsOf(r.body)).toEqual(['probe.echoAddress']);
    }
    expect(
      (await tc.running.store.listProbes()).find((p) => p.probeId === FRA.probeId)?.echoAddress ?? null,
    ).toBe(null);
    expect(await storedFor(FRA.probeId)).toBe(2);
    expect(await metric('flyprobe_collector_ingest_rejects_total', '{reason="mesh_address"}')).toBe(4);
    // A 6PN address is what Fly gives every Machine.
    const ok = await ingest(fra, batch({ ...FRA, echoAddress: '[fdaa:0:1:a7b:1::2]:8080' }, []));
    expect(ok.status).toBe(200);
  });

  it('accepts addresses in FLYPROBE_MESH_ALLOW_CIDRS (local and lab runs)', async () => {
    const local = await startTestCollector({ FLYPROBE_MESH_ALLOW_CIDRS: '127.0.0.0/8,::1/128' });
    try {
      const token = await probeToken(local.url, 'iad-000001', 'iad');
      for (const echoAddress of ['127.0.0.1:8080', '[::1]:8080']) {
        const r = await call(`${local.url}/v1/ingest`, {
          token,
          body: batch(probeIdentity('iad-000001', 'iad', { echoAddress }), []),
        });
        expect(r.status, echoAddress).toBe(200);
      }
    } finally {
      await local.close();
    }
  });

  it(`serves at most ${MAX_MESH_PEERS} peers, the freshest, and shows the overflow`, async () => {
    const store = tc.running.store;
    const now = Date.now();
    const live = MAX_MESH_PEERS + 2;
    for (let i = 0; i < live; i++) {
      const id = `ams-${String(i).padStart(6, '0')}`;
      await store.recordProbe(
        probeIdentity(id, 'ams', { echoAddress: `[fdaa::${(i + 1).toString(16)}]:8080` }),
        undefined,
        now - i * 10,
      );
    }
    // A row stored before addresses were checked (an older version) must not reach the fleet either.
    await store.recordProbe(
      probeIdentity('ams-metadata', 'ams', { echoAddress: '169.254.169.254:80' }),
      undefined,
      now,
    );
    const r = await call(`${tc.url}/v1/config`, { token: fra });
    expect(r.status).toBe(200);
    const parsed = parseWith(probeConfig, r.body);
    expect(parsed.ok).toBe(true); // the probe's own schema accepts the document
    const peers = (r.body as { mesh: { peers: { probeId: string; address: string }[] } }).mesh.peers;
    expect(peers).toHaveLength(MAX_MESH_PEERS);
    const ids = new Set(peers.map((p) => p.probeId));
    expect(ids.has('ams-000000')).toBe(true);
    expect(ids.has(`ams-${String(live - 1).padStart(6, '0')}`)).toBe(false); // the stalest went
    expect(peers.some((p) => p.address.startsWith('169.254'))).toBe(false);
    expect(r.headers.get('flyprobe-mesh-peers-omitted')).toBe('2');
    expect(await metric('flyprobe_collector_mesh_peers_omitted')).toBe(2);
  });
});

describe('4. silence matchers run in linear time', () => {
  it('refuses patterns outside the linear-time subset or over the length cap (400), storing none', async () => {
    const hostile = ['(a)\\1', '(?=a)a', '(a{100}){100}', `${'a'.repeat(257)}`];
    for (const value of hostile) {
      const r = await call(`${tc.url}/v1/silences`, {
        token: ADMIN_SECRET,
        body: { matchers: [{ name: 'probe_id', value, isRegex: true }], durationMs: 60_000 },
      });
      expect(r.status, value).toBe(400);
      expect(fieldsOf(r.body)[0]).toMatch(/^matchers\[0\]/);
    }
    const list = await call(`${tc.url}/v1/silences`, { token: READ_SECRET });
    expect((list.body as { silences: unknown[] }).silences).toEqual([]);
  });

  it('evaluates the classic catastrophic pattern without backtracking', async () => {
    const silence = {
      id: 's1',
      matchers: [{ name: 'probe_id', value: '(a+)+', isRegex: true, isEqual: true }],
      startsAt: 0,
      endsAt: Number.MAX_SAFE_INTEGER,
      createdBy: 'test',
      comment: '',
      createdAt: 0,
      state: 'active' as const,
    };
    // 30 characters stalled a backtracking engine for 34 s; bench:silence-matcher times 64 KiB.
    expect(silencing([silence], { probe_id: `${'a'.repeat(30)}!` }, 1)).toBeUndefined();
    expect(silencing([silence], { probe_id: 'a'.repeat(10_000) }, 1)?.id).toBe('s1');
  });
});

describe('5. the reporter hears a refused token at once', () => {
  it('logs the first 401 from a real collector instead of staying silent for a minute', async () => {
    const logs: string[] = [];
    const reporter = new Reporter({
      probe: FRA,
      collector: { url: tc.url, token: 'fp_probe_not-a-token-of-this-collector' },
      settings: fastReporterSettings(),
      batching: () => ({ maxBatch: 10, intervalMs: 20 }),
      heartbeat: staticHeartbeat,
      log: (_level, m) => logs.push(m),
    });
    try {
      reporter.start();
      reporter.add(testOutput());
      await until(() => logs.length > 0, 20_000, 'the auth log line');
      expect(logs[0]).toMatch(/collector refused the probe token \(HTTP 401\)/);
      expect(reporter.depth).toBe(1); // kept, not dropped
    } finally {
      await reporter.stop(performance.now() + 100);
    }
    // Batch-size recovery after 413 is tested against a fake collector in probe/src/reporter/reporter.test.ts.
  });
});

describe('6. bounded numbers and plain text', () => {
  it('rejects latencyMs 1e308 naming the bound; the matrix stays finite', async () => {
    const r = await ingest(fra, batch(FRA, [result(30, { latencyMs: 1e308 })]));
    expect((r.body as IngestAnswer).rejected).toEqual([
      { index: 0, reason: 'latencyMs: must be at most 86400000 (one day)' },
    ]);
    const csv = await call(`${tc.url}/v1/matrix.csv?target=web`, { token: READ_SECRET });
    expect(csv.text).not.toContain('Infinity');
    expect(await storedFor(FRA.probeId)).toBe(2);
  });

  it('refuses control characters in version, degradedReason and errorMessage, storing nothing', async () => {
    const version = await ingest(fra, batch({ ...FRA, version: '1.0\u001b]0;owned\u0007' }, [result(31)]));
    expect(version.status).toBe(400);
    expect(fieldsOf(version.body)).toEqual(['probe.version']);
    const reason = await ingest(
      fra,
      batch(FRA, [result(32)], {
        heartbeat: heartbeat({ degraded: true, degradedReason: 'x\u001b[2J\u009b' }),
      }),
    );
    expect(reason.status).toBe(400);
    expect(fieldsOf(reason.body)).toEqual(['heartbeat.degradedReason']);
    const message = await ingest(
      fra,
      batch(FRA, [result(33, { outcome: 'error', latencyMs: undefined, errorMessage: 'boom\r\u001b[1A' })]),
    );
    expect((message.body as IngestAnswer).rejected[0]?.reason).toBe(
      'errorMessage: must not contain control characters (C0, DEL, C1, ESC)',
    );
    expect(await storedFor(FRA.probeId)).toBe(2);
    const probe = (await tc.running.store.listProbes()).find((p) => p.probeId === FRA.probeId);
    expect(probe?.version).toBe('0.1.0');
  });

  it('flyprobe probes never prints raw control characters, even from rows an older version stored', async () => {
    await tc.running.store.recordProbe(
      probeIdentity('iad-e5c000', 'iad', { version: '1.0\u001b]0;owned\u0007\u001b[2J' }),
      heartbeat({ degraded: true, degradedReason: 'slow\u009b6n' }),
      Date.now(),
    );
    const out = await runMain(
      ['probes'],
      { FLYPROBE_COLLECTOR_URL: tc.url, FLYPROBE_TOKEN: READ_SECRET },
      true,
    );
    expect(out.code, out.stderr).toBe(0);
    expect(rawControlCharacters(out.stdout)).toEqual([]);
    expect(out.stdout).toContain('1.0\\x1b]0;owned\\x07\\x1b[2J');
    expect(out.stdout).toContain('slow\\x9b6n');
  });
});

describe('7. retention', () => {
  it('rejects a result older than raw retention with its reason and counts it, never acknowledging it', async () => {
    const old = Date.now() - 49 * 3_600_000;
    const r = await ingest(fra, batch(FRA, [result(40, { startedAt: old })]));
    expect(r.body).toEqual({
      accepted: 0,
      duplicate: 0,
      rejected: [{ index: 0, reason: 'startedAt: older than the raw retention of 2d' }],
    });
    expect(await metric('flyprobe_collector_ingest_rejects_total', '{reason="past_retention"}')).toBe(1);
    expect(await storedFor(FRA.probeId)).toBe(2);
  });
});

describe('8. strict timestamps on query parameters', () => {
  it('refuses lenient dates naming the parameter; RFC 3339 and epoch ms work', async () => {
    for (const [query, field] of [
      ['since=-5', 'since'],
      ['since=hello%201', 'since'],
      ['until=2026-02-31T00:00:00Z', 'until'],
      ['since=2026-12-01', 'since'],
      ['since=1e12', 'since'],
    ] as const) {
      const r = await call(`${tc.url}/v1/results?${query}`, { token: READ_SECRET });
      expect(r.status, query).toBe(400);
      expect(fieldsOf(r.body)).toEqual([field]);
    }
    const ok = await call(`${tc.url}/v1/results?since=2026-01-01T00:00:00%2B02:00&until=${Date.now() + 1}`, {
      token: READ_SECRET,
    });
    expect(ok.status).toBe(200);
    expect((ok.body as { results: unknown[] }).results).toHaveLength(2);
  });
});

describe('9. secrets', () => {
  it('redacts receiver URLs on read: userinfo, query tokens, Slack hook paths', async () => {
    const urls = {
      webhook: 'https://ops:hunter2@hooks.example.com/flyprobe?token=s3cr3t&team=a',
      slack: 'https://hooks.slack.com/services/T0001/B0002/XXXXXXXXslacksecret',
    };
    for (const [kind, url] of Object.entries(urls)) {
      const r = await call(`${tc.url}/v1/receivers`, { token: ADMIN_SECRET, body: { kind, url } });
      expect(r.status).toBe(201);
      expect(r.text).not.toMatch(/hunter2|s3cr3t|slacksecret/);
    }
    const list = await call(`${tc.url}/v1/receivers`, { token: ADMIN_SECRET });
    expect(list.text).not.toMatch(/hunter2|s3cr3t|slacksecret|T0001\/B0002/);
    const shown = (list.body as { receivers: { url: string }[] }).receivers.map((x) => x.url).sort();
    expect(shown).toEqual([
      'https://hooks.slack.com/services/redacted',
      'https://redacted@hooks.example.com/flyprobe?token=redacted&team=redacted',
    ]);
  });

  it('refuses expired tokens (401) and expiry dates in the past', async () => {
    const past = await call(`${tc.url}/v1/tokens`, {
      token: ADMIN_SECRET,
      body: { role: 'read', expiresAt: Date.now() - 1000 },
    });
    expect(fieldsOf(past.body)).toEqual(['expiresAt']);
    const expired = await tc.running.store.createToken({ role: 'read', expiresAt: Date.now() - 1 });
    const r = await call(`${tc.url}/v1/probes`, { token: expired.secret });
    expect(r.status).toBe(401);
    expect((r.body as ErrorBody).error.message).toMatch(/^token expired at /);
    const fresh = await createToken(tc.url, { role: 'read', expiresAt: '2099-12-31T23:59:59Z' });
    expect((await call(`${tc.url}/v1/probes`, { token: fresh })).status).toBe(200);
  });

  it('accepts the current and the next bootstrap secret during a rotation', async () => {
    const current = 'admin-current-0123456789';
    const next = 'admin-next-0123456789abc';
    const rotating = await startTestCollector({ FLYPROBE_ADMIN_TOKEN: `${current},${next}` });
    try {
      for (const token of [current, next])
        expect((await call(`${rotating.url}/v1/tokens`, { token })).status).toBe(200);
      expect((await call(`${rotating.url}/v1/tokens`, { token: ADMIN_SECRET })).status).toBe(401);
    } finally {
      await rotating.close();
    }
  });
});
