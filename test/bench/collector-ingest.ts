/**
 * Ingest throughput: results/s through `POST /v1/ingest` (a real collector in a child process, batches of
 * 500, several concurrent clients, each one keep-alive socket) against a raw better-sqlite3 insert of the same rows
 * into the same `results` table with the same pragmas (one transaction and fsync per batch), run right before
 * and right after the collector in the same run. Prints both, the ratios by wall clock and by CPU time and
 * the collector's RSS (sampled from /proc), each beside its goal. Figures only: this script never fails on a
 * threshold.
 *
 *   node --import tsx test/bench/collector-ingest.ts [--results 200000] [--batch 500] [--clients 4] [--profile DIR]
 *     [--store sqlite|postgres] [--collectors 2] [--alerts]
 *
 * The load generator runs on the collector's cores, which the raw baseline has to itself, and deployed probes run
 * elsewhere. So it is made as lean as a C one would be (testing/ingest-connection.ts): every request (request
 * line, headers, body) is encoded into one Buffer before the timed phase and written to a keep-alive socket,
 * and each answer is parsed only for its status, Content-Length and `accepted` (summed and checked against the
 * results sent). Until issue 17's second round it was an undici Pool, which cost 1.75-2.44 s of CPU per 600,000
 * results (undici and the GC over its objects) that the collector did not get; the client's CPU is printed.
 *
 * `--store postgres` starts a throwaway PostgreSQL server (durable settings: fsync on) and compares the
 * collector against raw multi-row INSERTs of the same rows into the same `results` table from as many
 * concurrent connections as there are clients. `--collectors 2` (PostgreSQL only) also runs the same load
 * through two collector processes sharing the database and prints the speed-up over one.
 *
 * `--alerts` runs the collector as the image does by default, with detection and alerting on (default rules, no
 * receivers), so the figures include the detectors' and the alert engine's share; without it, ingest alone.
 * With `--alerts` the results start within the last 5 minutes, as live probes' do, instead of over the last 30:
 * results older than a rule's stale time (10 minutes for most) make every evaluation forget their keys and the
 * next result build their windows again, thousands per second, which measured a backlog replay, not live ingest
 * (it was the ~40 MiB of "other anonymous" memory: freed window buffers held by malloc).
 *
 * `--profile DIR` writes V8 CPU profiles of the collector into DIR, one for its event loop and one for its SQLite
 * writer thread (open them in Chrome DevTools).
 *
 * The collector runs as the image runs it: collector/build.ts's bundle with the flags and ENV of the Dockerfile's
 * collector stage (collector-shipped.ts), with FLYPROBE_ALERTS=false (ingest alone) unless `--alerts`. Beside the
 * totals it prints where the collector's memory is (the event loop's V8 heap and its spaces, off-heap buffers, the
 * SQLite writer thread's V8 heap, mapped files, the rest of the anonymous memory: malloc, SQLite's page caches,
 * threads' stacks; malloc's main heap on its own), the SQLite WAL's peak size on disk (it restarts only when a
 * checkpoint catches up with every reader) and its mapped index, which of its threads used the CPU (the event loop, the SQLite writer thread, V8's helpers,
 * libuv's pool), and the CPU of this process, the load generator, which shares the machine's cores with the
 * collector.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '@flyprobe/collector';
import type { ProbeIdentity, ProbeResult } from '@flyprobe/shared';
import pg from 'pg';
import { Pool } from 'undici';
import { buildCollectorBundle } from '../../collector/build.ts';
import { extraJson } from '../../collector/src/store/core/result-row.ts';
import { openPostgresStore } from '../../collector/src/store/postgres/postgres-store.ts';
import { INSERT_RESULTS, resultColumns } from '../../collector/src/store/postgres/results.ts';
import { JOURNAL_SIZE_LIMIT, openDatabase } from '../../collector/src/store/sqlite/open.ts';
import {
  postgresUnavailable,
  startTestPostgres,
  type TestPostgres,
} from '../../collector/src/store/testing/postgres-server.ts';
import { spawnShippedCollector } from './collector-shipped.ts';
import { encodeIngestRequest, IngestConnection } from './testing/ingest-connection.ts';

const ADMIN = 'bench-admin-secret-0123456789';

/** Issue 17's goals for SQLite (synchronous=FULL semantics) and the earlier PostgreSQL goal. */
const RATE_GOAL = 100_000;
const SQLITE_RATIO_GOAL = 80;
const POSTGRES_RATIO_GOAL = 50;
const RSS_GOAL_MIB = 128;
/** `--alerts`: detection and alerting on (the image's default), default rules, no receivers. */
const ALERTS = process.argv.includes('--alerts');
/** How far back results start: within every detection rule's stale time with `--alerts` (see above). */
const SPAN_MS = (ALERTS ? 5 : 30) * 60_000;

type MemoryFigures = Record<'rss' | 'heapTotal' | 'heapUsed' | 'external' | 'arrayBuffers', number>;
/**
 * What testing/peak-memory.mjs writes: the peak sample, the V8 heap spaces' sizes at that moment and the SQLite
 * writer thread's heap (its own isolate) sampled just before.
 */
interface PeakMemory {
  memory: MemoryFigures;
  spaces: Record<string, number>;
  workerHeap?: { total: number; used: number };
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name}: must be a positive integer`);
  return v;
}

const REGIONS = [
  'iad',
  'ord',
  'dfw',
  'lax',
  'sea',
  'yyz',
  'gru',
  'lhr',
  'ams',
  'fra',
  'cdg',
  'arn',
  'waw',
  'jnb',
  'bom',
  'sin',
  'nrt',
  'syd',
];
const PATHS = ['anycast', 'pinned', 'private'] as const;
const PROTOCOLS = ['http', 'tcp', 'grpc'] as const;

/** Results shaped like a probe's: phases, edge/served regions, a machine id, a trace id. */
function makeResults(count: number, seq0: number, now: number): ProbeResult[] {
  const out: ProbeResult[] = [];
  for (let i = 0; i < count; i++) {
    const seq = seq0 + i;
    const path = PATHS[seq % 3] ?? 'anycast';
    const protocol = PROTOCOLS[Math.floor(seq / 3) % 3] ?? 'http';
    const region = REGIONS[seq % REGIONS.length] ?? 'iad';
    const ok = seq % 50 !== 0;
    const latency = 5 + ((seq * 7919) % 20000) / 100;
    out.push({
      seq,
      target: 'web',
      path,
      protocol,
      ...(path === 'anycast' ? {} : { targetRegion: region }),
      startedAt: now - SPAN_MS + ((seq * 37) % SPAN_MS),
      ...(ok ? { latencyMs: latency } : {}),
      phases: ok ? { connect: latency / 3, ttfb: latency, total: latency + 0.4 } : { connect: 2.5 },
      outcome: ok ? 'ok' : 'reset',
      ...(ok ? {} : { failedPhase: 'ttfb' as const, errorMessage: 'ECONNRESET' }),
      ...(protocol === 'http' && ok ? { httpStatus: 200, httpVersion: '1.1' as const, bytes: 312 } : {}),
      edgeRegion: 'iad',
      servedRegion: region,
      servedMachine: `m${(seq % 7).toString(16)}8e1f2a3b4c5`,
      traceId: (seq * 2654435761).toString(16).padStart(32, '0').slice(-32),
    });
  }
  return out;
}

interface Batch {
  probe: ProbeIdentity;
  results: ProbeResult[];
  body: string;
}

/** Client `c` plays one probe, bound (as a deployed probe's token is) to its id, this app and its region. */
const BENCH_APP = 'bench-probes';
function benchRegion(c: number): string {
  return REGIONS[c % REGIONS.length] ?? 'iad';
}

function makeBatches(total: number, size: number, clients: number, bootId: string): Batch[] {
  const now = Date.now();
  const batches: Batch[] = [];
  const perProbeSeq = new Array<number>(clients).fill(0);
  for (let i = 0; i * size < total; i++) {
    const c = i % clients;
    const probe: ProbeIdentity = {
      probeId: `bench-${c}`,
      region: benchRegion(c),
      machineId: `machine${c}`,
      app: BENCH_APP,
      bootId,
      version: '0.1.0',
    };
    const results = makeResults(Math.min(size, total - i * size), perProbeSeq[c] ?? 0, now);
    perProbeSeq[c] = (perProbeSeq[c] ?? 0) + results.length;
    batches.push({ probe, results, body: JSON.stringify({ schemaVersion: 1, probe, results }) });
  }
  return batches;
}

/** The collector's CPU seconds, from its /metrics (scraped only before and after a run). */
async function cpuSeconds(pool: Pool): Promise<number> {
  const r = await pool.request({ path: '/metrics', method: 'GET' });
  const text = await r.body.text();
  return Number(/^process_cpu_seconds_total ([\d.e+-]+)/m.exec(text)?.[1] ?? Number.NaN);
}

/**
 * A child's resident set from /proc: sampled every 250 ms without asking the collector, whose /metrics
 * page (per-cell series) would cost it CPU in the middle of the measurement.
 */
function rssOf(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) * 1024;
}

/** Resident memory backed by files (the node binary's code and data, shared libraries), from /proc. */
function fileRssOf(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^RssFile:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) * 1024;
}

/** Resident memory of malloc's main heap (its `[heap]` mapping, grown with brk), from /proc. */
function brkHeapOf(pid: number | undefined): number {
  const smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  const at = smaps.search(/ \[heap\]\n/);
  if (at < 0) return 0;
  return Number(/^Rss:\s+(\d+) kB/m.exec(smaps.slice(at))?.[1] ?? Number.NaN) * 1024;
}

/** A file's size, 0 while it does not exist. */
function sizeOf(path: string | undefined): number {
  if (path === undefined) return 0;
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** What a thread does, by the name Node and V8 give it. */
function threadKind(name: string): string {
  if (name === 'MainThread' || name === 'node') return 'main thread';
  if (name.startsWith('V8Worker')) return 'V8 helpers (GC, compiler)';
  if (name.startsWith('libuv-worker')) return 'libuv pool';
  if (name.startsWith('WorkerThread')) return 'SQLite writer thread';
  return 'other';
}

/** CPU seconds of a process's threads so far, by kind. */
function threadCpu(pid: number | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // Fields after the name: state is field 3; utime and stime are fields 14 and 15, in clock ticks (100/s).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / 100;
    const kind = threadKind(name);
    out.set(kind, (out.get(kind) ?? 0) + seconds);
  }
  return out;
}

async function httpRun(
  collectors: Collector[],
  batches: Batch[],
  clients: number,
  tokens: string[],
): Promise<{
  seconds: number;
  cpuSeconds: number;
  accepted: number;
  peakRss: number;
  endRss: number;
  fileRss: number;
  brkHeap: number;
  peakWal: number;
  endShm: number;
  threads: Map<string, number>;
  clientCpuSeconds: number;
}> {
  // Client i talks to collector i mod n; RSS is the first collector's, CPU the sum over all of them.
  const pools = collectors.map((c) => new Pool(c.url, { connections: 1 }));
  // Every request encoded before the timed phase (any collector's Host: they differ only in the port).
  const host = new URL(collectors[0]?.url as string).host;
  const requests = batches.map((b) =>
    encodeIngestRequest(host, tokens[Number(b.probe.probeId.split('-')[1])] as string, b.body),
  );
  const connections = await Promise.all(
    Array.from({ length: clients }, (_, client) =>
      IngestConnection.open((collectors[client % collectors.length] as Collector).url),
    ),
  );
  const pid = collectors[0]?.child.pid;
  let next = 0;
  let accepted = 0;
  let peakRss = 0;
  // The WAL grows while checkpoints cannot restart it (journal_size_limit truncates it only when one does).
  const db = collectors[0]?.db;
  let peakWal = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssOf(pid));
    peakWal = Math.max(peakWal, sizeOf(db && `${db}-wal`));
  }, 250);
  const cpuOf = async () => (await Promise.all(pools.map(cpuSeconds))).reduce((n, m) => n + m, 0);
  const threadsBefore = threadCpu(pid);
  const cpuBefore = await cpuOf();
  const clientCpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await Promise.all(
    connections.map(async (connection) => {
      for (let i = next++; i < requests.length; i = next++) {
        // Not `accepted += await ...`: that reads `accepted` before waiting and loses the other clients' counts.
        const n = await connection.post(requests[i] as Buffer);
        accepted += n;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const clientUsed = process.cpuUsage(clientCpu);
  clearInterval(sampler);
  const endRss = rssOf(pid);
  const fileRss = fileRssOf(pid);
  const brkHeap = brkHeapOf(pid);
  peakWal = Math.max(peakWal, sizeOf(db && `${db}-wal`));
  const cpuAfter = await cpuOf();
  const threads = threadCpu(pid);
  for (const [kind, before] of threadsBefore) threads.set(kind, (threads.get(kind) ?? 0) - before);
  for (const c of connections) c.close();
  for (const p of pools) await p.close();
  return {
    seconds,
    cpuSeconds: cpuAfter - cpuBefore,
    accepted,
    peakRss: Math.max(peakRss, endRss),
    endRss,
    fileRss,
    brkHeap,
    peakWal,
    endShm: sizeOf(db && `${db}-shm`),
    threads,
    clientCpuSeconds: (clientUsed.user + clientUsed.system) / 1e6,
  };
}

/** The same rows into the same table (schema made by the store itself), same pragmas, one transaction per batch. */
async function rawSqlite(
  dir: string,
  name: string,
  batches: Batch[],
): Promise<{ seconds: number; cpuSeconds: number }> {
  const path = join(dir, `${name}.db`);
  await (await openSqliteStore({ path })).close();
  const db = openDatabase(path);
  const insertBoot = db.prepare('INSERT INTO probe_boots (probe_id, boot_id) VALUES (?, ?)');
  const insert = db.prepare(
    `INSERT INTO results (boot_key, seq, probe_region, target, path, protocol, target_region, started_at, received_at,
       outcome, latency_ms, edge_region, served_region, degraded, extra)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (boot_key, seq) DO NOTHING`,
  );
  const bootKeys = new Map<string, number>();
  const store = db.transaction((b: Batch, receivedAt: number) => {
    let key = bootKeys.get(b.probe.probeId);
    if (key === undefined) {
      key = Number(insertBoot.run(b.probe.probeId, b.probe.bootId).lastInsertRowid);
      bootKeys.set(b.probe.probeId, key);
    }
    for (const r of b.results) {
      insert.run(
        key,
        r.seq,
        b.probe.region,
        r.target,
        r.path,
        r.protocol,
        r.targetRegion ?? null,
        r.startedAt,
        receivedAt,
        r.outcome,
        r.latencyMs ?? null,
        r.edgeRegion ?? null,
        r.servedRegion ?? null,
        r.degraded === undefined ? null : Number(r.degraded),
        // The store's own encoding of the other fields (the same rows, at the store's cost, not more).
        extraJson(r),
      );
    }
  });
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (const b of batches) store(b, Date.now());
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  db.close();
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

interface Collector {
  child: ChildProcess;
  url: string;
  /** The SQLite file (undefined with PostgreSQL). */
  db?: string;
  /** The child's process.memoryUsage() at its resident peak, with its V8 heap spaces, written when it exits. */
  memory: Promise<PeakMemory | undefined>;
}

let bundled: Promise<string> | undefined;
/** The collector bundle, built once per run into a folder of its own. */
function shippedBundle(): Promise<string> {
  if (!bundled) {
    const out = mkdtempSync(join(tmpdir(), 'flyprobe-bench-bundle-'));
    process.once('exit', () => rmSync(out, { recursive: true, force: true }));
    bundled = buildCollectorBundle(out);
  }
  return bundled;
}

/** Starts the shipped collector (collector-shipped.ts) with a memory sampler preloaded and resolves with its URL. */
async function startChild(env: Record<string, string>, profile: string[]): Promise<Collector> {
  const memoryFile = join(mkdtempSync(join(tmpdir(), 'flyprobe-bench-memory-')), 'peak.json');
  const sampler = fileURLToPath(new URL('./testing/peak-memory.mjs', import.meta.url));
  const { child, url } = await spawnShippedCollector(
    await shippedBundle(),
    [...profile, '--import', sampler],
    {
      FLYPROBE_HOST: '127.0.0.1',
      FLYPROBE_PORT: '0',
      FLYPROBE_ADMIN_TOKEN: ADMIN,
      FLYPROBE_INGEST_RATE: '1000000',
      FLYPROBE_INGEST_BURST: '1000000',
      // Ingest alone unless --alerts: then detection and the alert engine run on every ingest, as in the image.
      FLYPROBE_ALERTS: ALERTS ? 'true' : 'false',
      FLYPROBE_BENCH_MEMORY_FILE: memoryFile,
      ...env,
    },
  );
  const memory = once(child, 'exit').then(() => {
    try {
      return JSON.parse(readFileSync(memoryFile, 'utf8')) as PeakMemory;
    } catch {
      return undefined;
    } finally {
      rmSync(dirname(memoryFile), { recursive: true, force: true });
    }
  });
  return { child, url, memory, ...(env.FLYPROBE_DB ? { db: env.FLYPROBE_DB } : {}) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

async function probeTokens(url: string, clients: number): Promise<string[]> {
  const admin = new Pool(url, { connections: 1 });
  const tokens: string[] = [];
  for (let c = 0; c < clients; c++) {
    const r = await admin.request({
      path: '/v1/tokens',
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'probe', probeId: `bench-${c}`, app: BENCH_APP, region: benchRegion(c) }),
    });
    tokens.push(((await r.body.json()) as { secret: string }).secret);
  }
  await admin.close();
  return tokens;
}

/** A warm-up, then the measured run of `total` results through `collectors`. */
async function measure(collectors: Collector[], total: number, size: number, clients: number) {
  const tokens = await probeTokens(collectors[0]?.url as string, clients);
  await httpRun(collectors, makeBatches(Math.min(20_000, total), size, clients, 'warmup'), clients, tokens);
  const batches = makeBatches(total, size, clients, 'measured');
  const http = await httpRun(collectors, batches, clients, tokens);
  if (http.accepted !== total) throw new Error(`collectors accepted ${http.accepted} of ${total}`);
  return { http, batches };
}

/** Raw multi-row INSERTs of the same rows into the same PostgreSQL table, one transaction per batch, `clients` at once. */
async function rawPostgres(
  url: string,
  batches: Batch[],
  clients: number,
): Promise<{ seconds: number; cpuSeconds: number }> {
  await (await openPostgresStore({ url, compactMs: 0 })).close();
  const pool = new pg.Pool({ connectionString: url, max: clients });
  const bootKeys = new Map<string, number>();
  for (const b of batches) {
    if (bootKeys.has(b.probe.probeId)) continue;
    const { rows } = await pool.query<{ id: string }>(
      'INSERT INTO probe_boots (probe_id, boot_id) VALUES ($1, $2) RETURNING id',
      [b.probe.probeId, b.probe.bootId],
    );
    bootKeys.set(b.probe.probeId, Number(rows[0]?.id));
  }
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const client = await pool.connect();
      try {
        for (let i = next++; i < batches.length; i = next++) {
          const b = batches[i] as Batch;
          // The store's own statement (column arrays unnested server-side): the same rows, the same SQL, without
          // HTTP, validation, rollups or the group commit.
          await client.query('BEGIN');
          await client.query(INSERT_RESULTS, [
            bootKeys.get(b.probe.probeId),
            b.probe.region,
            Date.now(),
            ...resultColumns(b.results),
          ]);
          await client.query('COMMIT');
        }
      } finally {
        client.release();
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  await pool.end();
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

async function main(): Promise<void> {
  const total = arg('results', 200_000);
  const size = arg('batch', 500);
  const clients = arg('clients', 4);
  const storeAt = process.argv.indexOf('--store');
  const storeKind = storeAt >= 0 ? process.argv[storeAt + 1] : 'sqlite';
  if (storeKind !== 'sqlite' && storeKind !== 'postgres')
    throw new Error('--store: must be sqlite or postgres');
  const collectors = process.argv.includes('--collectors') ? arg('collectors', 1) : 1;
  if (collectors > 1 && storeKind !== 'postgres') throw new Error('--collectors: needs --store postgres');
  const profileAt = process.argv.indexOf('--profile');
  const profile = profileAt >= 0 ? ['--cpu-prof', `--cpu-prof-dir=${process.argv[profileAt + 1]}`] : [];
  const dir = mkdtempSync(join(tmpdir(), 'flyprobe-bench-ingest-'));
  const children: ChildProcess[] = [];
  let server: TestPostgres | undefined;
  try {
    if (storeKind === 'postgres') {
      const why = postgresUnavailable({ durable: true });
      if (why) throw new Error(`--store postgres: ${why}`);
      server = await startTestPostgres({ durable: true });
    }
    const location = async (name: string): Promise<Record<string, string>> =>
      server
        ? { FLYPROBE_DATABASE_URL: await server.createDatabase(name) }
        : { FLYPROBE_DB: join(dir, `${name}.db`) };

    // The raw baseline runs right before and right after the collector, and the ratio uses their mean, so a
    // change of machine load during the run (other work on a shared machine) moves both sides alike.
    const rawOnce = async (name: string, rows: Batch[]) =>
      server ? rawPostgres(await server.createDatabase(name), rows, clients) : rawSqlite(dir, name, rows);
    // Warmed up like the collector is, so neither side pays for cold JIT in its measured run.
    await rawOnce('raw_warmup', makeBatches(Math.min(20_000, total), size, clients, 'warmup'));
    const rawBefore = await rawOnce('raw_before', makeBatches(total, size, clients, 'measured'));
    const one = await startChild(await location('collector'), profile);
    children.push(one.child);
    const { http, batches } = await measure([one], total, size, clients);
    await stopChild(one.child);
    const peak = await one.memory;
    const memory = peak?.memory;

    const rawAfter = await rawOnce('raw_after', batches);
    const raw = {
      seconds: (rawBefore.seconds + rawAfter.seconds) / 2,
      cpuSeconds: (rawBefore.cpuSeconds + rawAfter.cpuSeconds) / 2,
    };

    let shared: Awaited<ReturnType<typeof measure>>['http'] | undefined;
    if (collectors > 1) {
      const env = await location('shared');
      const started = await Promise.all(Array.from({ length: collectors }, () => startChild(env, [])));
      children.push(...started.map((c) => c.child));
      // As many clients per collector as the single collector had, so each one sees the same load.
      shared = (await measure(started, total, size, clients * collectors)).http;
      for (const c of started) await stopChild(c.child);
    }

    const bytes = batches.reduce((n, b) => n + b.body.length, 0);
    const httpRate = total / http.seconds;
    const rawRate = total / raw.seconds;
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    const perCpu = (seconds: number) => `${(total / seconds).toFixed(0)} results per CPU-second`;
    const usPerResult = (seconds: number) => ((1e6 * seconds) / total).toFixed(1);
    const [load1] = loadavg();
    const rawName =
      storeKind === 'postgres'
        ? 'raw PostgreSQL multi-row INSERT (same table, same server)'
        : 'raw better-sqlite3 insert (same table, same pragmas)';
    console.log(
      `collector ingest benchmark (${storeKind}, ${ALERTS ? 'detection and alerting on' : 'ingest alone, alerting off'}): ${total} results, batches of ${size}, ${clients} concurrent clients, started over the last ${SPAN_MS / 60_000} minutes`,
    );
    console.log(`  machine: ${cpus().length} CPUs, load average ${load1?.toFixed(1)} at the end`);
    console.log(
      `  wire: ${(bytes / total).toFixed(0)} bytes/result, ${mib(bytes / batches.length)} per batch`,
    );
    // Goals (issue 17) beside each figure; PostgreSQL has no results/s goal of its own.
    const sqlite = storeKind === 'sqlite';
    const wallRatio = (100 * httpRate) / rawRate;
    const cpuRatio = (100 * raw.cpuSeconds) / http.cpuSeconds;
    console.log(
      `  HTTP POST /v1/ingest: ${httpRate.toFixed(0)} results/s (${http.seconds.toFixed(2)} s); collector ${perCpu(http.cpuSeconds)}${sqlite ? `   goal >= ${RATE_GOAL}` : ''}`,
    );
    console.log(
      `  ${rawName}: ${rawRate.toFixed(0)} results/s (mean of ${(total / rawBefore.seconds).toFixed(0)} before and ${(total / rawAfter.seconds).toFixed(0)} after the collector); ${perCpu(raw.cpuSeconds)}`,
    );
    const ratioGoal = sqlite ? SQLITE_RATIO_GOAL : POSTGRES_RATIO_GOAL;
    console.log(
      `  HTTP / raw by wall clock: ${wallRatio.toFixed(1)}%   goal >= ${ratioGoal}% (the primary figure on a loaded machine)`,
    );
    console.log(`  HTTP / raw by CPU time: ${cpuRatio.toFixed(1)}%   goal >= ${ratioGoal}%`);
    console.log(
      `  collector RSS: peak ${mib(http.peakRss)}, after run ${mib(http.endRss)}${sqlite ? `   goal peak <= ${RSS_GOAL_MIB} MiB` : ''}`,
    );
    if (memory) {
      // Anonymous memory outside the event loop's V8 heap and its buffers: the SQLite writer thread's own isolate
      // (printed on its own), malloc (SQLite's page caches, statements, the HTTP parser), thread stacks.
      const writer = peak?.workerHeap;
      const rest = memory.rss - http.fileRss - memory.heapTotal - memory.external - (writer?.total ?? 0);
      console.log(
        `  collector memory at its peak: V8 heap ${mib(memory.heapTotal)} (${mib(memory.heapUsed)} used), off-heap buffers ${mib(memory.external)} (${mib(memory.arrayBuffers)} ArrayBuffers), SQLite writer thread's V8 heap ${writer ? `${mib(writer.total)} (${mib(writer.used)} used)` : 'not sampled'}, files mapped (node binary, libraries; at the end) ${mib(http.fileRss)}, other anonymous ${mib(rest)}`,
      );
      console.log(
        `  malloc's main heap ([heap], grown with brk: off-heap buffers, SQLite's page caches, native allocations, and what malloc keeps of their freed memory) at the end: ${mib(http.brkHeap)}`,
      );
      const spaces = Object.entries(peak?.spaces ?? {}).filter(([, size]) => size > 0);
      console.log(
        `  V8 heap spaces at that peak: ${spaces.map(([name, size]) => `${name} ${mib(size)}`).join(', ')}`,
      );
    }
    if (sqlite)
      console.log(
        `  SQLite WAL: peak ${mib(http.peakWal)} on disk (journal_size_limit ${mib(JOURNAL_SIZE_LIMIT)}), its index (-shm, mapped) ${mib(http.endShm)} at the end`,
      );
    const threadTotal = [...http.threads.values()].reduce((n, m) => n + m, 0);
    console.log(
      `  collector CPU by thread: ${[...http.threads]
        .filter(([, s]) => s > 0)
        .sort((a, b) => b[1] - a[1])
        .map(
          ([kind, s]) =>
            `${kind} ${s.toFixed(2)} s (${((100 * s) / threadTotal).toFixed(0)}%, ${usPerResult(s)} us/result)`,
        )
        .join(', ')}`,
    );
    // The load generator shares the machine's cores with the collector: its CPU is the rest of the budget.
    console.log(
      `  bench client (this process: pre-encoded requests on ${clients} keep-alive sockets) CPU: ${http.clientCpuSeconds.toFixed(2)} s (${usPerResult(http.clientCpuSeconds)} us/result) in the collector's ${http.seconds.toFixed(2)} s of wall clock; ${cpus().length} cores = ${(cpus().length * http.seconds).toFixed(2)} CPU-seconds`,
    );
    if (shared) {
      const sharedRate = total / shared.seconds;
      console.log(
        `  ${collectors} collectors on one PostgreSQL (${clients * collectors} clients): ${sharedRate.toFixed(0)} results/s (${shared.seconds.toFixed(2)} s) = ${(sharedRate / httpRate).toFixed(2)}x one collector; together ${perCpu(shared.cpuSeconds)} (one alone: ${perCpu(http.cpuSeconds)})   goal >= 1.6x`,
      );
    }
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
