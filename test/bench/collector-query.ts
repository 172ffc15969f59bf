/**
 * Matrix query latency over rollups (issue #4, benchmark 2).
 *
 * Loads 30 days of hourly rollups for 18 probe regions x 18 columns x 3 protocols (plus the last hours of minute
 * rollups for the 1 h window; a 24 h matrix reads hourly rollups only) through the store's bulk path, then times 24 h matrix queries (p99: sketch merge; loss: counters),
 * then ingests raw results, grows raw volume 10x and times again: the matrix reads rollups only.
 *
 *   node --import tsx test/bench/collector-query.ts [--raw 20000] [--queries 200] [--minute-hours 3] [--store sqlite|postgres]
 *
 * `--store postgres` runs the same against a throwaway PostgreSQL server (durable settings), the reader
 * summing each bucket's rows after the ingest's partial rows were compacted (as the store's timer does).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  currentRegions,
  type MatrixMetric,
  PROTOCOLS,
  type ProbeResult,
  regionRttFloorMs,
} from '@flyprobe/shared';
import pg from 'pg';
import {
  emptyRollupState,
  openPostgresStore,
  openSqliteStore,
  type RollupRecord,
  type RollupState,
  SqliteStore,
  type Store,
} from '../../collector/src/store/index.ts';
import {
  postgresUnavailable,
  startTestPostgres,
  type TestPostgres,
} from '../../collector/src/store/testing/postgres-server.ts';

const { values: args } = parseArgs({
  options: {
    raw: { type: 'string', default: '20000' },
    queries: { type: 'string', default: '200' },
    'minute-hours': { type: 'string', default: '3' },
    store: { type: 'string', default: 'sqlite' },
  },
});
if (args.store !== 'sqlite' && args.store !== 'postgres')
  throw new Error('--store: must be sqlite or postgres');
const RAW_BASE = Number(args.raw);
const QUERIES = Number(args.queries);
const MINUTE_HOURS = Number(args['minute-hours']);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const regions = currentRegions()
  .map((r) => r.code)
  .sort()
  .slice(0, 18);
const NOW = Math.floor(Date.now() / HOUR) * HOUR + 17 * 60_000;
const dir = mkdtempSync(join(tmpdir(), 'flyprobe-bench-query-'));
let pgServer: TestPostgres | undefined;
let pgClient: pg.Client | undefined;
let store: Store;
if (args.store === 'postgres') {
  const why = postgresUnavailable({ durable: true });
  if (why) throw new Error(`--store postgres: ${why}`);
  pgServer = await startTestPostgres({ durable: true });
  const url = await pgServer.createDatabase('bench_query');
  store = await openPostgresStore({ url });
  pgClient = new pg.Client({ connectionString: url });
  await pgClient.connect();
} else {
  store = await openSqliteStore({ path: join(dir, 'bench.db') });
}
const sqlite = store instanceof SqliteStore ? store : undefined;
/** One number from the database, whichever dialect. */
async function scalar(sql: string): Promise<number> {
  if (sqlite) return Number(sqlite.db.prepare(sql).pluck().get());
  return Number((await (pgClient as pg.Client).query({ text: sql, rowMode: 'array' })).rows[0]?.[0]);
}

/** A deterministic pseudo-random source so runs are comparable. */
let seed = 42;
const rand = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

const baseMs = (from: string, to: string) => 2 + 1.4 * (regionRttFloorMs(from, to) ?? 50);

/** A few pre-built states per cell and granularity, reused across buckets (building 700k sketches is not the point). */
function states(from: string, to: string, samplesPerBucket: number): RollupState[] {
  return Array.from({ length: 4 }, () => {
    const s = emptyRollupState();
    for (let i = 0; i < samplesPerBucket; i++) {
      s.samples++;
      if (rand() < 0.002) {
        s.timeout++;
        continue;
      }
      s.ok++;
      const ms = baseMs(from, to) * (1 + 0.25 * rand() ** 3);
      s.latCount++;
      s.latSum += ms;
      s.sketch.accept(ms);
    }
    return s;
  });
}

/** Writes whole blocks at a time (a day of hours or an hour of minutes, all cells of a protocol): the bulk path. */
async function load(tier: 'hour' | 'minute', spanMs: number, perBucket: number): Promise<number> {
  const step = tier === 'hour' ? HOUR : 60_000;
  const chunk = tier === 'hour' ? 24 : 60;
  const buckets = Math.ceil(spanMs / step);
  const first = Math.floor((NOW - spanMs) / step) * step;
  const pools = new Map<string, RollupState[]>();
  for (const from of regions)
    for (const to of regions) pools.set(`${from}>${to}`, states(from, to, perBucket));
  let rows = 0;
  for (const protocol of PROTOCOLS) {
    for (let c = 0; c * chunk <= buckets; c++) {
      const records: RollupRecord[] = [];
      for (const from of regions) {
        for (const to of regions) {
          const pool = pools.get(`${from}>${to}`)!;
          const dims = {
            target: 'web',
            path: 'pinned',
            protocol,
            probeRegion: from,
            column: to,
            edge: from,
          } as const;
          for (let b = c * chunk; b < Math.min(buckets + 1, (c + 1) * chunk); b++)
            records.push({ tier, dims, bucket: first + b * step, state: pool[b % 4]! });
        }
      }
      await store.writeRollups(records);
      rows += records.length;
    }
  }
  return rows;
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

interface Timing {
  p50: number;
  p99: number;
  cpuP50: number;
  cpuP99: number;
  cells: number;
}

/** Wall time and this process's CPU time per query: the machine is shared, so both are reported. */
async function timeMatrix(metric: MatrixMetric, windowMs: number): Promise<Timing> {
  const wall: number[] = [];
  const cpu: number[] = [];
  let cells = 0;
  for (let i = 0; i < QUERIES; i++) {
    const protocol = PROTOCOLS[i % PROTOCOLS.length]!;
    const c = process.cpuUsage();
    const t = performance.now();
    const out = await store.matrix({
      target: 'web',
      path: 'pinned',
      protocol,
      metric,
      from: NOW - windowMs,
      to: NOW,
    });
    wall.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
    cells = out.length;
  }
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return {
    p50: percentile(wall, 0.5),
    p99: percentile(wall, 0.99),
    cpuP50: percentile(cpu, 0.5),
    cpuP99: percentile(cpu, 0.99),
    cells,
  };
}

let rawSeq = 0;
async function ingestRaw(count: number): Promise<number> {
  const t = performance.now();
  const perProbe = Math.ceil(count / regions.length);
  for (const from of regions) {
    const probe = {
      probeId: `${from}-1`,
      region: from,
      machineId: `m${from}`,
      bootId: 'bench',
      version: 'bench',
    };
    for (let done = 0; done < perProbe; ) {
      const batch: ProbeResult[] = [];
      for (let i = 0; i < 500 && done < perProbe; i++, done++) {
        const to = regions[rawSeq % regions.length]!;
        batch.push({
          seq: rawSeq++,
          target: 'web',
          path: 'pinned',
          protocol: PROTOCOLS[rawSeq % 3]!,
          targetRegion: to,
          // Probes report in time order; spread over the last 24 h like a day of traffic.
          startedAt: NOW - DAY + Math.floor((done / perProbe) * DAY),
          latencyMs: baseMs(from, to) * (1 + 0.25 * rand()),
          phases: { connect: 1, ttfb: 10, total: 12 },
          outcome: 'ok',
          httpStatus: 200,
          httpVersion: '1.1',
          edgeRegion: from,
          servedRegion: to,
        });
      }
      await store.insertResults(probe, batch, NOW);
    }
  }
  await store.compactRollups();
  return (perProbe * regions.length) / ((performance.now() - t) / 1000);
}

const count = (table: string) => scalar(`SELECT count(*) FROM ${table}`);
const fmt = (n: number) => n.toFixed(2).padStart(7);

try {
  let t = performance.now();
  const hourRows = await load('hour', 30 * DAY, 240);
  const minuteRows = await load('minute', MINUTE_HOURS * HOUR, 4);
  console.log(
    `loaded ${hourRows.toLocaleString()} hourly rollup rows (30 days) + ${minuteRows.toLocaleString()} minute rows (${MINUTE_HOURS} h) for ${regions.length}x${regions.length}x${PROTOCOLS.length} in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const report = async (label: string) => {
    const load = loadavg()[0]!.toFixed(1);
    console.log(
      `\n${label} (${store.dialect}): raw results ${(await count('results')).toLocaleString()}, ${QUERIES} queries each, load average ${load}`,
    );
    for (const [metric, windowMs, name] of [
      ['p99', DAY, '24 h p99 '],
      ['loss', DAY, '24 h loss'],
      ['p99', HOUR, ' 1 h p99 '],
    ] as const) {
      const r = await timeMatrix(metric, windowMs);
      console.log(
        `  matrix ${name} cells ${r.cells}  wall p50 ${fmt(r.p50)} ms  p99 ${fmt(r.p99)} ms   cpu p50 ${fmt(r.cpuP50)} ms  p99 ${fmt(r.cpuP99)} ms`,
      );
    }
  };
  await report('before raw ingest');
  t = performance.now();
  console.log(
    `\ningest ${RAW_BASE.toLocaleString()} raw: ${(await ingestRaw(RAW_BASE)).toFixed(0)} results/s`,
  );
  await report('raw volume x1');
  console.log(
    `\ningest ${(9 * RAW_BASE).toLocaleString()} raw: ${(await ingestRaw(9 * RAW_BASE)).toFixed(0)} results/s`,
  );
  await report('raw volume x10');
  const cells = (table: string) => scalar(`SELECT sum(cells) FROM ${table}`);
  console.log(
    `\nrollups now: hour ${(await cells('rollup_hour')).toLocaleString()} cells in ${(await count('rollup_hour')).toLocaleString()} blocks, minute ${(await cells('rollup_minute')).toLocaleString()} cells in ${(await count('rollup_minute')).toLocaleString()} blocks`,
  );
  console.log('goal: 24 h matrix p99 <= 50 ms (wall)');
} finally {
  await store.close();
  await pgClient?.end();
  await pgServer?.stop();
  rmSync(dir, { recursive: true, force: true });
}
