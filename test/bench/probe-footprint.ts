/**
 * Footprint, side by side in one run: the probe and prometheus-blackbox-exporter probe the same loopback
 * HTTP target at the same rate; CPU seconds (utime+stime from /proc/<pid>/stat) and RSS (/proc/<pid>/status)
 * per 1,000 HTTP probes for each. Then the probe's RSS with 100 targets x 3 protocols at a 5 s interval.
 * The probe runs twice: through tsx (as the Docker image runs it today) and as an esbuild bundle on plain
 * node (tsx's off-thread module loader alone costs ~35-40 MB of RSS on Node 20), and bundled with a
 * smaller V8 young generation, old-space cap and one V8 worker thread (TUNED_FLAGS), as the probe image
 * runs it (probe/build.ts bundle, Dockerfile flags). The bench's own event-loop monitors are off.
 * Figures only: never fails on a threshold.
 *
 *   node --import tsx test/bench/probe-footprint.ts [--rate 20] [--seconds 60] [--big-seconds 60]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEchoServer } from '@flyprobe/probe/echo';
import { Agent, request } from 'undici';
import { IngestReceiver } from '../../probe/src/reporter/testing/ingest-receiver.ts';
import {
  bundleProbe,
  cpuSeconds,
  freePort,
  mb,
  memory,
  type ProbeChild,
  sleep,
  spawnProbe,
} from './probe-process.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name}: must be a positive number`);
  return v;
}

const RATE = arg('rate', 20);
const SECONDS = arg('seconds', 60);
const BIG_SECONDS = arg('big-seconds', 60);
const WARMUP_S = 5;
/** The probe image's node flags (Dockerfile, probe stage). */
const TUNED_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=96', '--v8-pool-size=1'];

const dir = mkdtempSync(join(tmpdir(), 'flyprobe-footprint-'));
const echo = await startEchoServer({
  identity: { region: 'iad', machineId: 'bench-target', startedAt: Date.now() },
  host: '127.0.0.1',
  httpPort: 0,
  tcpPort: 0,
  grpcPort: 0,
});
const rx = await IngestReceiver.start();
const stops: (() => Promise<void> | void)[] = [
  () => echo.close(),
  () => rx.close(),
  () => rmSync(dir, { recursive: true, force: true }),
];

function probeToml(name: string, targets: number, intervalMs: number, protocols: string[]): string {
  const path = join(dir, `${name}.toml`);
  const lines = [
    'bind = "127.0.0.1"',
    '[echo]\nenabled = false',
    '[metrics]\nport = 0',
    '[report]\nintervalMs = 2000',
  ];
  for (let i = 0; i < targets; i++) {
    lines.push(
      `[[targets]]\nname = "t${i}"\nhost = "127.0.0.1"\npaths = ["anycast"]\nprotocols = ${JSON.stringify(protocols)}\nintervalMs = ${intervalMs}\nhttp = { port = ${echo.httpPort} }\ntcp = { port = ${echo.tcpPort} }\ngrpc = { port = ${echo.grpcPort}, streams = 0 }`,
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function probeEnv(file: string): NodeJS.ProcessEnv {
  return {
    FLYPROBE_REGION: 'iad',
    FLYPROBE_MACHINE_ID: 'bench',
    FLYPROBE_CONFIG: file,
    FLYPROBE_COLLECTOR_URL: rx.url,
    FLYPROBE_TOKEN: 'bench',
  };
}

async function startBlackbox(): Promise<{ proc: ChildProcess; port: number }> {
  const port = await freePort();
  const config = join(dir, 'blackbox.yml');
  writeFileSync(
    config,
    'modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n    http:\n      preferred_ip_protocol: ip4\n',
  );
  const proc = spawn(
    'prometheus-blackbox-exporter',
    [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`],
    {
      stdio: ['ignore', 'ignore', 'ignore'],
    },
  );
  for (let i = 0; i < 100; i++) {
    try {
      const res = await request(`http://127.0.0.1:${port}/metrics`);
      await res.body.dump();
      if (res.statusCode === 200) return { proc, port };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error('blackbox exporter did not start');
}

/** Scrapes /probe at `rate` per second like Prometheus would; counts completed and successful probes. */
function driveBlackbox(port: number, rate: number) {
  const agent = new Agent({ connections: 16 });
  const target = encodeURIComponent(`http://127.0.0.1:${echo.httpPort}/echo`);
  const counts = { done: 0, ok: 0 };
  const timer = setInterval(() => {
    void request(`http://127.0.0.1:${port}/probe?module=http_2xx&target=${target}`, { dispatcher: agent })
      .then(async (res) => {
        const text = await res.body.text();
        counts.done++;
        if (/^probe_success 1$/m.test(text)) counts.ok++;
      })
      .catch(() => {
        counts.done++;
      });
  }, 1000 / rate);
  return { counts, stop: () => clearInterval(timer) };
}

interface Measured {
  name: string;
  cpu: number;
  probes: number;
  mem: { rss: number; peak: number };
}

function header(): void {
  console.log(
    `${'process'.padEnd(34)} ${'probes'.padStart(7)} ${'cpu s'.padStart(8)} ${'cpu s/1000'.padStart(11)} ${'RSS MB'.padStart(7)} ${'peak MB'.padStart(8)}`,
  );
}

function row(m: Measured): void {
  console.log(
    `${m.name.padEnd(34)} ${String(m.probes).padStart(7)} ${m.cpu.toFixed(2).padStart(8)} ${((m.cpu / m.probes) * 1000).toFixed(3).padStart(11)} ${mb(m.mem.rss).padStart(7)} ${mb(m.mem.peak).padStart(8)}`,
  );
}

/** Measures several processes over the same window; `count` reads each one's completed probes. */
async function measure(
  procs: { name: string; pid: number; count: () => number }[],
  seconds: number,
): Promise<Measured[]> {
  const start = procs.map((p) => ({ cpu: cpuSeconds(p.pid), n: p.count() }));
  await sleep(seconds * 1000);
  return procs.map((p, i) => ({
    name: p.name,
    cpu: cpuSeconds(p.pid) - start[i]!.cpu,
    probes: p.count() - start[i]!.n,
    mem: memory(p.pid),
  }));
}

const lastResults = (c: ProbeChild) => c.samples.at(-1)?.results ?? 0;

try {
  const bundle = await bundleProbe(dir);
  console.log(
    `footprint: ${RATE} HTTP probes/s each for ${SECONDS} s (after ${WARMUP_S} s warm-up), loopback target`,
  );
  const bb = await startBlackbox();
  stops.push(() => {
    bb.proc.kill('SIGTERM');
  });
  const side = probeToml('side', RATE, 1000, ['http']);
  const variants = [
    ['flyprobe probe (node + tsx)', {}],
    ['flyprobe probe (bundled)', { bundle }],
    ['flyprobe probe (bundled, tuned V8)', { bundle, nodeFlags: TUNED_FLAGS }],
  ] as const;
  const probes = variants.map(([name, opts]) => ({
    name,
    child: spawnProbe(probeEnv(side), { ...opts, loopMonitor: false }),
  }));
  for (const p of probes) stops.push(() => p.child.stop());
  const driver = driveBlackbox(bb.port, RATE);
  stops.push(() => driver.stop());
  await Promise.all(probes.map((p) => p.child.until(() => true, 120_000)));
  await sleep(WARMUP_S * 1000);
  const results = await measure(
    [
      ...probes.map((p) => ({ name: p.name, pid: p.child.proc.pid!, count: () => lastResults(p.child) })),
      { name: 'prometheus-blackbox-exporter', pid: bb.proc.pid!, count: () => driver.counts.done },
    ],
    SECONDS,
  );
  driver.stop();
  await Promise.all(probes.map((p) => p.child.stop()));
  bb.proc.kill('SIGTERM');
  header();
  for (const r of results) row(r);
  const perProbe = (m: Measured) => m.cpu / m.probes;
  const blackbox = results.at(-1)!;
  console.log(`blackbox probe_success: ${driver.counts.ok}/${driver.counts.done}`);
  console.log(
    `cpu per probe relative to blackbox: ${results
      .slice(0, -1)
      .map(
        (r) => `${r.name.replace('flyprobe probe ', '')} ${(perProbe(r) / perProbe(blackbox)).toFixed(2)}x`,
      )
      .join(', ')}`,
  );

  console.log(
    `\ntuned V8 = ${TUNED_FLAGS.join(' ')}\nprobe with 100 targets x 3 protocols (http, tcp, grpc unary; no streams) every 5 s, ${BIG_SECONDS} s:`,
  );
  const bigFile = probeToml('big', 100, 5000, ['http', 'tcp', 'grpc']);
  for (const [name, opts] of [
    ['node + tsx', {}],
    ['bundled', { bundle }],
    ['bundled, tuned', { bundle, nodeFlags: TUNED_FLAGS }],
  ] as const) {
    const big = spawnProbe(probeEnv(bigFile), { ...opts, loopMonitor: false });
    stops.push(() => big.stop());
    await big.until(() => true, 120_000);
    const [m] = await measure([{ name, pid: big.proc.pid!, count: () => lastResults(big) }], BIG_SECONDS);
    const last = big.samples.at(-1)!;
    const maxSampled = Math.max(...big.samples.map((s) => s.rssBytes));
    console.log(
      `${name.padEnd(14)} results ${m!.probes} (${(m!.probes / BIG_SECONDS).toFixed(1)}/s), missed runs ${last.missed}, RSS ${mb(m!.mem.rss)} MB, max sampled ${mb(maxSampled)} MB, peak ${mb(m!.mem.peak)} MB, cpu ${((m!.cpu / m!.probes) * 1000).toFixed(3)} s/1000`,
    );
    await big.stop();
  }
  console.log(`results stored by the loopback collector: ${rx.stored.size}`);
  console.log(
    `(load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`,
  );
} finally {
  for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
}
