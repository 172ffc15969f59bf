/**
 * Ingest throughput: results/s through `POST /v1/ingest` (a real collector in a child process, batches of
 * 500, several concurrent clients over an undici Pool) against a raw better-sqlite3 insert of the same rows
 * into the same `results` table with the same pragmas, in the same run. Prints both, the ratio and the
 * collector's RSS. Figures only: this script never fails on a threshold.
 *
 *   node --import tsx test/bench/collector-ingest.ts [--results 200000] [--batch 500] [--clients 4] [--profile DIR]
 *
 * `--profile DIR` writes a V8 CPU profile of the collector process into DIR (open it in Chrome DevTools).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadCollectorSettings, openSqliteStore, startCollector } from '@flyprobe/collector';
import type { IngestResponse, ProbeIdentity, ProbeResult } from '@flyprobe/shared';
import { Pool } from 'undici';
import { COLUMN_FIELDS } from '../../collector/src/store/core/result-row.ts';
import { openDatabase } from '../../collector/src/store/sqlite/open.ts';

const ADMIN = 'bench-admin-secret-0123456789';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name}: must be a positive integer`);
  return v;
}

/** Child mode: run the collector from the environment until SIGTERM. */
async function serve(): Promise<void> {
  const running = await startCollector(loadCollectorSettings(process.env), {
    log: () => undefined,
    plugins: [],
  });
  process.stdout.write(`READY ${running.url}\n`);
  process.once('SIGTERM', () => {
    void running.stop().then(() => process.exit(0));
  });
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
      startedAt: now - 30 * 60_000 + ((seq * 37) % (30 * 60_000)),
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

/** The collector's own RSS and CPU seconds, from its /metrics. */
async function scrape(pool: Pool): Promise<{ rss: number; cpuSeconds: number }> {
  const r = await pool.request({ path: '/metrics', method: 'GET' });
  const text = await r.body.text();
  return {
    rss: Number(/^process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? Number.NaN),
    cpuSeconds: Number(/^process_cpu_seconds_total ([\d.e+-]+)/m.exec(text)?.[1] ?? Number.NaN),
  };
}

async function httpRun(
  url: string,
  batches: Batch[],
  clients: number,
  tokens: string[],
): Promise<{ seconds: number; cpuSeconds: number; accepted: number; peakRss: number; endRss: number }> {
  const pool = new Pool(url, { connections: clients + 1, pipelining: 1 });
  let next = 0;
  let accepted = 0;
  let peakRss = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peakRss = Math.max(peakRss, (await scrape(pool)).rss);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const cpuBefore = (await scrape(pool)).cpuSeconds;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < batches.length; i = next++) {
        const b = batches[i] as Batch;
        const token = tokens[Number(b.probe.probeId.split('-')[1])];
        const res = await pool.request({
          path: '/v1/ingest',
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: b.body,
        });
        const text = await res.body.text();
        if (res.statusCode !== 200)
          throw new Error(`ingest answered ${res.statusCode}: ${text.slice(0, 300)}`);
        accepted += (JSON.parse(text) as IngestResponse).accepted;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  sampling = false;
  await sampler;
  const end = await scrape(pool);
  await pool.close();
  return {
    seconds,
    cpuSeconds: end.cpuSeconds - cpuBefore,
    accepted,
    peakRss: Math.max(peakRss, end.rss),
    endRss: end.rss,
  };
}

/** The same rows into the same table (schema made by the store itself), same pragmas, one transaction per batch. */
async function rawRun(dir: string, batches: Batch[]): Promise<{ seconds: number; cpuSeconds: number }> {
  const path = join(dir, 'raw.db');
  await (await openSqliteStore({ path })).close();
  const db = openDatabase(path);
  const insertBoot = db.prepare('INSERT INTO probe_boots (probe_id, boot_id) VALUES (?, ?)');
  const insert = db.prepare(
    `INSERT INTO results (boot_key, seq, probe_region, target, path, protocol, target_region, started_at, received_at,
       outcome, latency_ms, edge_region, served_region, degraded, extra)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (boot_key, seq) DO NOTHING`,
  );
  const bootKeys = new Map<string, number>();
  // The same column split as the store, so the raw baseline writes the same rows.
  const columns = COLUMN_FIELDS;
  const store = db.transaction((b: Batch, receivedAt: number) => {
    let key = bootKeys.get(b.probe.probeId);
    if (key === undefined) {
      key = Number(insertBoot.run(b.probe.probeId, b.probe.bootId).lastInsertRowid);
      bootKeys.set(b.probe.probeId, key);
    }
    for (const r of b.results) {
      const extra: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) if (!columns.has(k)) extra[k] = v;
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
        JSON.stringify(extra),
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

async function main(): Promise<void> {
  const total = arg('results', 200_000);
  const size = arg('batch', 500);
  const clients = arg('clients', 4);
  const dir = mkdtempSync(join(tmpdir(), 'flyprobe-bench-ingest-'));
  let child: ChildProcess | undefined;
  try {
    const profileAt = process.argv.indexOf('--profile');
    const profile = profileAt >= 0 ? ['--cpu-prof', `--cpu-prof-dir=${process.argv[profileAt + 1]}`] : [];
    child = spawn(
      process.execPath,
      [...profile, '--import', 'tsx', fileURLToPath(import.meta.url), '--serve'],
      {
        env: {
          ...process.env,
          FLYPROBE_DB: join(dir, 'collector.db'),
          FLYPROBE_HOST: '127.0.0.1',
          FLYPROBE_PORT: '0',
          FLYPROBE_ADMIN_TOKEN: ADMIN,
          FLYPROBE_INGEST_RATE: '1000000',
          FLYPROBE_INGEST_BURST: '1000000',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const ready = await Promise.race([
      (async () => {
        for await (const line of lines) if (line.startsWith('READY ')) return line.slice(6);
        throw new Error('collector exited before it was ready');
      })(),
      once(child, 'exit').then(() => {
        throw new Error('collector exited before it was ready');
      }),
    ]);
    const url = ready;
    const admin = new Pool(url, { connections: 1 });
    const tokens: string[] = [];
    for (let c = 0; c < clients; c++) {
      const r = await admin.request({
        path: '/v1/tokens',
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          role: 'probe',
          probeId: `bench-${c}`,
          app: BENCH_APP,
          region: benchRegion(c),
        }),
      });
      tokens.push(((await r.body.json()) as { secret: string }).secret);
    }
    await admin.close();

    const warmup = makeBatches(Math.min(20_000, total), size, clients, 'warmup');
    await httpRun(url, warmup, clients, tokens);
    const batches = makeBatches(total, size, clients, 'measured');
    const bytes = batches.reduce((n, b) => n + b.body.length, 0);
    const http = await httpRun(url, batches, clients, tokens);
    if (http.accepted !== total) throw new Error(`collector accepted ${http.accepted} of ${total}`);

    child.kill('SIGTERM');
    await once(child, 'exit');
    child = undefined;

    const raw = await rawRun(dir, batches);
    const httpRate = total / http.seconds;
    const rawRate = total / raw.seconds;
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    const perCpu = (seconds: number) => `${(total / seconds).toFixed(0)} results per CPU-second`;
    const [load1] = loadavg();
    console.log(
      `collector ingest benchmark: ${total} results, batches of ${size}, ${clients} concurrent clients`,
    );
    console.log(`  machine: ${cpus().length} CPUs, load average ${load1?.toFixed(1)} at the end`);
    console.log(
      `  wire: ${(bytes / total).toFixed(0)} bytes/result, ${mib(bytes / batches.length)} per batch`,
    );
    console.log(
      `  HTTP POST /v1/ingest: ${httpRate.toFixed(0)} results/s (${http.seconds.toFixed(2)} s); collector ${perCpu(http.cpuSeconds)}`,
    );
    console.log(
      `  raw better-sqlite3 insert (same table, same pragmas): ${rawRate.toFixed(0)} results/s (${raw.seconds.toFixed(2)} s); ${perCpu(raw.cpuSeconds)}`,
    );
    console.log(
      `  ratio HTTP / raw: ${((100 * httpRate) / rawRate).toFixed(1)}% by wall clock, ${((100 * raw.cpuSeconds) / http.cpuSeconds).toFixed(1)}% by CPU time`,
    );
    console.log(`  collector RSS: peak ${mib(http.peakRss)}, after run ${mib(http.endRss)}`);
    console.log(`  goals: >= 100000 results/s and >= 50% of raw`);
  } finally {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--serve')) await serve();
else await main();
