import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeIdentity } from '@flyprobe/shared';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  postgresUnavailable,
  startTestPostgres,
  type TestPostgres,
} from '../../collector/src/store/testing/postgres-server.ts';
import { Reporter } from '../../probe/src/reporter/reporter.ts';
import { Spool } from '../../probe/src/reporter/spool.ts';
import { fastReporterSettings, staticHeartbeat } from '../../probe/src/reporter/testing/fixtures.ts';
import { type CollectorProcess, isLeader, spawnCollector } from './collectors.ts';

const ADMIN = 'ha-test-admin-secret-0123456789';
const LEASE_MS = 2000;
const skip = postgresUnavailable();

interface Received {
  eventId: string;
  kind: 'firing' | 'resolved';
  alertId: string;
  rule: string;
}

/** A real webhook receiver on loopback: records every notification body. */
async function webhookReceiver(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      const p = JSON.parse(body) as {
        eventId: string;
        kind: Received['kind'];
        alert: { id: string; rule: string };
      };
      received.push({ eventId: p.eventId, kind: p.kind, alertId: p.alert.id, rule: p.alert.rule });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server };
}

async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function admin(url: string, path: string, method: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

describe.skipIf(skip !== null)(`two collectors on one PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'flyprobe-ha-'));
  let server: TestPostgres | undefined;
  const collectors: CollectorProcess[] = [];
  afterAll(async () => {
    for (const c of collectors) await c.kill('SIGKILL');
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('survive a SIGKILL of the leader: no result lost or doubled, each alert transition notified once', async () => {
    server = await startTestPostgres();
    const url = await server.createDatabase('ha');
    const hook = await webhookReceiver();
    const rules = join(dir, 'rules.json');
    writeFileSync(rules, JSON.stringify({ resets: { window: 10 } }));
    const env = {
      FLYPROBE_DATABASE_URL: url,
      FLYPROBE_ADMIN_TOKEN: ADMIN,
      FLYPROBE_WEBHOOK_URL: hook.url,
      FLYPROBE_LEADER_LEASE_MS: String(LEASE_MS),
      FLYPROBE_ALERT_EVAL_MS: '200',
      FLYPROBE_ALERT_RULES: rules,
      FLYPROBE_INGEST_RATE: '10000',
      FLYPROBE_INGEST_BURST: '10000',
    };
    collectors.push(await spawnCollector(env), await spawnCollector(env));
    const [a, b] = collectors as [CollectorProcess, CollectorProcess];
    await admin(a.url, '/v1/targets', 'PUT', [{ name: 'web', host: 'web.example', regions: ['fra', 'sin'] }]);
    const leaders = async () => [await isLeader(a.url), await isLeader(b.url)];
    expect((await leaders()).sort()).toEqual([0, 1]);

    // Three probes, each with both collectors in a different order, each with a disk spool.
    let failing = true;
    const probes = await Promise.all(
      (
        [
          ['sin', [a, b]],
          ['ord', [b, a]],
          ['fra', [a, b]],
        ] as const
      ).map(async ([region, order]) => {
        const identity: ProbeIdentity = {
          probeId: `${region}-1`,
          region,
          machineId: `m-${region}`,
          app: 'ha-probes',
          bootId: 'boot-1',
          version: '0.1.0',
        };
        // A token bound to this probe's identity, as `flyprobe deploy` mints one per Machine.
        const { secret: token } = (await admin(a.url, '/v1/tokens', 'POST', {
          role: 'probe',
          probeId: identity.probeId,
          app: identity.app,
          region,
        })) as { secret: string };
        const { spool } = await Spool.open(join(dir, region), identity, {
          syncMs: 5,
          onError: () => undefined,
        });
        const reporter = new Reporter({
          probe: identity,
          collector: { url: order[0].url, fallbackUrls: [order[1].url], token },
          settings: fastReporterSettings({ requestTimeoutMs: 2000, failbackMs: 60_000 }),
          batching: () => ({ maxBatch: 20, intervalMs: 50 }),
          heartbeat: staticHeartbeat,
          spool,
        });
        reporter.start();
        return { region, reporter };
      }),
    );
    const tick = setInterval(() => {
      for (const p of probes) {
        const reset = failing && p.region === 'sin';
        p.reporter.add({
          target: 'web',
          path: 'pinned',
          protocol: 'http',
          targetRegion: 'fra',
          startedAt: Date.now(),
          outcome: reset ? 'reset' : 'ok',
          phases: reset ? { connect: 1 } : { connect: 1, ttfb: 20, total: 20 },
          ...(!reset && { latencyMs: 20 }),
        });
      }
    }, 20);

    try {
      const firing = await until('the firing notification', () =>
        hook.received.find((r) => r.kind === 'firing'),
      );
      expect(firing.rule).toBe('resets');
      // The leader has recorded the delivery (the one window where a kill resends is before that record).
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      await until('the delivery recorded', async () =>
        (await db.query("SELECT 1 FROM alert_outbox WHERE status = 'delivered'")).rowCount ? true : undefined,
      );
      const leader = (await isLeader(a.url)) === 1 ? a : b;
      const follower = leader === a ? b : a;
      const killedAt = Date.now();
      await leader.kill('SIGKILL');
      await until('the new leader', async () => ((await isLeader(follower.url)) === 1 ? true : undefined));
      const takeoverMs = Date.now() - killedAt;
      console.log(`new detector leader after ${takeoverMs} ms (lease ${LEASE_MS} ms)`);

      // The fault clears after the takeover: the new leader resolves the same alert and notifies once.
      await new Promise((r) => setTimeout(r, 500));
      failing = false;
      const resolved = await until('the resolved notification', () =>
        hook.received.find((r) => r.kind === 'resolved'),
      );
      expect(resolved.alertId).toBe(firing.alertId);
      clearInterval(tick);
      for (const p of probes) await p.reporter.stop(performance.now() + 10_000);

      // Every result each probe made is stored exactly once, whichever collector took it.
      const stored = await db.query<{ probe_id: string; n: string; distinct_seqs: string; max_seq: number }>(
        `SELECT b.probe_id, count(*) AS n, count(DISTINCT r.seq) AS distinct_seqs, max(r.seq) AS max_seq
         FROM results r JOIN probe_boots b ON b.id = r.boot_key GROUP BY b.probe_id ORDER BY b.probe_id`,
      );
      const made = Object.fromEntries(probes.map((p) => [`${p.region}-1`, p.reporter.nextSeq]));
      expect(
        stored.rows.map((r) => [r.probe_id, Number(r.n), Number(r.distinct_seqs), Number(r.max_seq) + 1]),
      ).toEqual(
        Object.entries(made)
          .sort()
          .map(([id, n]) => [id, n, n, n]),
      );
      for (const p of probes) expect(p.reporter.dropped()).toEqual({});
      // Rollups count every result once too, though both collectors wrote the same minutes.
      const cells = (await (
        await fetch(`${follower.url}/v1/matrix?target=web&path=pinned&protocol=http&metric=loss&window=2h`, {
          headers: { authorization: `Bearer ${ADMIN}` },
        })
      ).json()) as { cells: { from: string; samples: number }[] };
      const samples = Object.fromEntries(cells.cells.map((c) => [`${c.from}-1`, c.samples]));
      expect(samples).toEqual(made);

      // Exactly one firing and one resolved notification, for one alert, each with its own event id.
      await new Promise((r) => setTimeout(r, 1000));
      expect(hook.received.map((r) => [r.alertId, r.kind])).toEqual([
        [firing.alertId, 'firing'],
        [firing.alertId, 'resolved'],
      ]);
      expect(new Set(hook.received.map((r) => r.eventId)).size).toBe(2);
      await db.end();
    } finally {
      clearInterval(tick);
      hook.server.close();
    }
  }, 120_000);
});
