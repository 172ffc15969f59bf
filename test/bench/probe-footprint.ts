/**
 * Footprint, side by side in one run: the shipped probe (probe/build.ts bundle on plain node with the
 * Dockerfile's probe ENTRYPOINT flags and ENV, as `flyprobe probe`; the same bundle without the flags beside it)
 * and prometheus-blackbox-exporter probe the same loopback HTTP target at the same rate; CPU seconds
 * (utime+stime from /proc/<pid>/stat) and RSS (/proc/<pid>/status) per 1,000 HTTP probes for each. The
 * machine is shared, so the figure that counts is the ratio to blackbox_exporter measured in the same
 * window. Then the shipped probe's RSS with 100 targets x 3 protocols (http, tcp, grpc unary plus
 * `--streams` gRPC streams per target) at a 5 s interval. Figures only: never fails on a threshold.
 *
 *   node --import tsx test/bench/probe-footprint.ts [--rate 20] [--seconds 60] [--big-seconds 60] [--streams 1] [--warmup 5]
 *
 * --warmup: seconds between the probes' first results and the window. V8 is still compiling the probe's hot
 * code then (its CPU per probe keeps falling for about a minute); `--warmup 60` measures the steady state.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@flyprobe/shared/testing';
import { Agent, request } from 'undici';
import { buildProbeBundle } from '../../probe/build.ts';
import { startLoopbackEcho } from '../../probe/src/echo/testing/loopback-echo.ts';
import { IngestReceiver } from '../../probe/src/reporter/testing/ingest-receiver.ts';
import { binaryMappings, clearReferenced, privateNodeCopy, rssKinds } from './node-binary-pages.ts';
import { cpuSeconds, mb, memory, sleep, smapsSummary } from './probe-process.ts';
import { imageEnv, imageNodeFlags, type ShippedProbe, spawnShipped } from './probe-shipped.ts';

function arg(name: string, fallback: number, min = 1): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name}: must be an integer >= ${min}`);
  return v;
}

const RATE = arg('rate', 20);
const SECONDS = arg('seconds', 60);
const BIG_SECONDS = arg('big-seconds', 60);
const STREAMS = arg('streams', 1, 0);
const WARMUP_S = arg('warmup', 5, 0);
const GOAL_CPU_RATIO = 0.75;
const GOAL_RSS_MB = 64;
const GOAL_PEAK_MB = 96;
const IMAGE_FLAGS = imageNodeFlags();
const IMAGE_ENV = imageEnv();

const dir = mkdtempSync(join(tmpdir(), 'flyprobe-footprint-'));
const echo = await startLoopbackEcho({ region: 'iad', machineId: 'bench-target', startedAt: Date.now() });
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
      `[[targets]]\nname = "t${i}"\nhost = "127.0.0.1"\npaths = ["anycast"]\nprotocols = ${JSON.stringify(protocols)}\nintervalMs = ${intervalMs}\nhttp = { port = ${echo.httpPort} }\ntcp = { port = ${echo.tcpPort} }\ngrpc = { port = ${echo.grpcPort}, streams = ${STREAMS} }`,
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function probeEnv(file: string): NodeJS.ProcessEnv {
  return { FLYPROBE_REGION: 'iad', FLYPROBE_MACHINE_ID: 'bench', FLYPROBE_CONFIG: file };
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

/**
 * Measures several processes over the same window; `count` reads each one's completed probes. The probes
 * deliver a batch every 2 s, so their counts lag by up to one batch at both ends of the window alike.
 */
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

const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

try {
  const bundle = await buildProbeBundle(join(dir, 'dist'));
  console.log(
    `footprint: ${RATE} HTTP probes/s each for ${SECONDS} s (after ${WARMUP_S} s warm-up), loopback target, load average ${loadAverage()}`,
  );
  console.log(`image flags (Dockerfile probe ENTRYPOINT): ${IMAGE_FLAGS.join(' ') || '(none)'}`);
  const env = Object.entries(IMAGE_ENV).map(([k, v]) => `${k}=${v}`);
  console.log(`image environment (Dockerfile probe ENV): ${env.join(' ') || '(none)'}`);
  const bb = await startBlackbox();
  stops.push(() => {
    bb.proc.kill('SIGTERM');
  });
  const side = probeToml('side', RATE, 1000, ['http']);
  const probes: { name: string; child: ShippedProbe }[] = [
    {
      name: 'flyprobe probe (bundle, no flags)',
      child: spawnShipped(bundle, [], rx, 'iad-plain', probeEnv(side)),
    },
    {
      name: 'flyprobe probe (shipped)',
      child: spawnShipped(bundle, IMAGE_FLAGS, rx, 'iad-shipped', { ...IMAGE_ENV, ...probeEnv(side) }),
    },
  ];
  for (const p of probes) stops.push(() => p.child.stop());
  const driver = driveBlackbox(bb.port, RATE);
  stops.push(() => driver.stop());
  await Promise.all(probes.map((p) => p.child.started(120_000)));
  await sleep(WARMUP_S * 1000);
  const results = await measure(
    [
      ...probes.map((p) => ({ name: p.name, pid: p.child.proc.pid!, count: p.child.results })),
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
  console.log(
    `ok results: ${probes.map((p) => `${p.child.probeId} ${p.child.okResults()}/${p.child.results()}`).join(', ')}, blackbox probe_success ${driver.counts.ok}/${driver.counts.done}`,
  );
  const ratios = results.slice(0, -1).map((r) => ({ name: r.name, ratio: perProbe(r) / perProbe(blackbox) }));
  console.log(
    `cpu per probe relative to blackbox: ${ratios.map((r) => `${r.name.replace('flyprobe probe ', '')} ${r.ratio.toFixed(2)}x`).join(', ')}`,
  );
  const shippedRatio = ratios.at(-1)!.ratio;
  console.log(
    `goal: shipped cpu per probe <= ${GOAL_CPU_RATIO}x blackbox_exporter's: ${shippedRatio.toFixed(2)}x, ${shippedRatio <= GOAL_CPU_RATIO ? 'met' : 'NOT met'}`,
  );

  const protocols = `http, tcp, grpc unary${STREAMS > 0 ? ` + ${STREAMS} stream${STREAMS > 1 ? 's' : ''}` : ''}`;
  console.log(`\nshipped probe with 100 targets x 3 protocols (${protocols}) every 5 s, ${BIG_SECONDS} s:`);
  const bigFile = probeToml('big', 100, 5000, ['http', 'tcp', 'grpc']);
  const big = spawnShipped(
    bundle,
    IMAGE_FLAGS,
    rx,
    'iad-big',
    { ...IMAGE_ENV, ...probeEnv(bigFile) },
    privateNodeCopy(dir),
  );
  stops.push(() => big.stop());
  await big.started(120_000);
  // The second half of the window: what the probe keeps touching once its checks have all run a few times.
  const referencedSeconds = Math.floor(BIG_SECONDS / 2);
  const clearing = setTimeout(() => clearReferenced(big.proc.pid!), (BIG_SECONDS - referencedSeconds) * 1000);
  stops.push(() => clearTimeout(clearing));
  const rssSamples: number[] = [];
  const sampler = setInterval(() => rssSamples.push(memory(big.proc.pid!).rss), 1000);
  stops.push(() => clearInterval(sampler));
  const [m] = await measure([{ name: 'big', pid: big.proc.pid!, count: big.results }], BIG_SECONDS);
  clearInterval(sampler);
  const where = smapsSummary(big.proc.pid!);
  const kinds = rssKinds(big.proc.pid!);
  const binary = binaryMappings(big.proc.pid!);
  const missed = big.missedRuns();
  await big.stop();
  const median = [...rssSamples].sort((x, y) => x - y)[Math.floor(rssSamples.length / 2)] ?? 0;
  console.log(
    `results ${m!.probes} (${(m!.probes / BIG_SECONDS).toFixed(1)}/s; ok ${big.okResults()}/${big.results()} since start), missed runs ${missed}, RSS median ${mb(median)} MB, at the end ${mb(m!.mem.rss)} MB, peak (VmHWM) ${mb(m!.mem.peak)} MB, cpu ${((m!.cpu / m!.probes) * 1000).toFixed(3)} s/1000`,
  );
  console.log(
    `where the RSS is at the end (smaps): node binary's file pages ${mb(where.nodeBinary)} MB, shared libraries ${mb(where.otherFiles)} MB, anonymous (V8 heap, malloc arenas and large blocks, stacks) ${mb(where.anonymous)} MB, malloc main arena ${mb(where.brkHeap)} MB`,
  );
  console.log(
    `RssAnon ${mb(kinds.anon)} MB, RssFile ${mb(kinds.file)} MB, PSS ${mb(kinds.pss)} MB (its own copy of the node executable, so PSS counts the binary's pages in full)`,
  );
  console.log(
    `node binary's pages resident at the end, and referenced in the last ${referencedSeconds} s (still in use):`,
  );
  for (const b of binary)
    console.log(
      `  ${mb(b.rss).padStart(5)} MB resident, ${mb(b.referenced).padStart(5)} MB referenced: ${b.part}`,
    );
  const sum = (k: 'rss' | 'referenced') => binary.reduce((n, b) => n + b[k], 0);
  console.log(
    `  ${mb(sum('rss')).padStart(5)} MB resident, ${mb(sum('referenced')).padStart(5)} MB referenced in all`,
  );
  const memMet = median <= GOAL_RSS_MB * 2 ** 20 && m!.mem.peak <= GOAL_PEAK_MB * 2 ** 20 && missed === 0;
  console.log(
    `goal: RSS <= ${GOAL_RSS_MB} MB, peak <= ${GOAL_PEAK_MB} MB, no missed runs: ${memMet ? 'met' : 'NOT met'}`,
  );
  console.log(`(load average at the end: ${loadAverage()})`);
} finally {
  for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
}
