/**
 * Detector leader failover: two collector processes share one PostgreSQL (durable settings); the leader is
 * SIGKILLed (a dead Machine) and the time until the other one holds the lease is measured, then the killed
 * one is restarted as a follower; several rounds. A graceful stop (SIGTERM, a deploy) releases the lease,
 * so that handover is timed too. Figures only: this script never fails on a threshold.
 *
 *   node --import tsx test/bench/collector-failover.ts [--rounds 3] [--lease-ms 5000]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { postgresUnavailable, startTestPostgres } from '../../collector/src/store/testing/postgres-server.ts';
import { type CollectorProcess, isLeader, spawnCollector } from '../ha/collectors.ts';

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, 'lease-ms': { type: 'string', default: '5000' } },
});
const ROUNDS = Number(args.rounds);
const LEASE_MS = Number(args['lease-ms']);
const why = postgresUnavailable({ durable: true });
if (why) throw new Error(why);

const server = await startTestPostgres({ durable: true });
const env = {
  FLYPROBE_DATABASE_URL: await server.createDatabase('failover'),
  FLYPROBE_ADMIN_TOKEN: 'bench-admin-secret-0123456789',
  FLYPROBE_LEADER_LEASE_MS: String(LEASE_MS),
  FLYPROBE_TEST_QUIET: '1',
};
const pair: CollectorProcess[] = [await spawnCollector(env), await spawnCollector(env)];

/** Polls every 25 ms (at most 60 s) until `c` leads; returns the milliseconds since `from`. */
async function leadsAfter(c: CollectorProcess, from: number): Promise<number> {
  for (let i = 0; i < 2400; i++) {
    if ((await isLeader(c.url)) === 1) return Date.now() - from;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no new leader within 60 s');
}

async function leader(): Promise<[CollectorProcess, CollectorProcess]> {
  for (let i = 0; i < 400; i++) {
    for (const [me, other] of [
      [pair[0], pair[1]],
      [pair[1], pair[0]],
    ] as const) {
      if ((await isLeader(me!.url)) === 1) return [me!, other!];
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no leader');
}

const result = { kill: [] as number[], term: [] as number[] };
try {
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    for (let round = 0; round < ROUNDS; round++) {
      const [lead, follower] = await leader();
      const at = Date.now();
      await lead.kill(signal);
      (signal === 'SIGKILL' ? result.kill : result.term).push(await leadsAfter(follower, at));
      pair.splice(pair.indexOf(lead), 1, await spawnCollector(env));
    }
  }
  const fmt = (xs: number[]) =>
    `${xs.map((x) => (x / 1000).toFixed(2)).join(', ')} s (max ${(Math.max(...xs) / 1000).toFixed(2)} s)`;
  console.log(
    `detector leader failover: 2 collectors on one PostgreSQL, lease ${LEASE_MS} ms, renewed every ${LEASE_MS / 5} ms`,
  );
  console.log(`  SIGKILL of the leader -> other collector leads after: ${fmt(result.kill)}`);
  console.log(`  SIGTERM (graceful, lease released) -> other collector leads after: ${fmt(result.term)}`);
  console.log(`  load average ${loadavg()[0]?.toFixed(1)}; goal: failover <= 10 s`);
} finally {
  for (const c of pair) await c.kill('SIGKILL');
  await server.stop();
}
