/**
 * Timing accuracy of the probe's http check against curl on the same URL.
 *
 * A local server waits a fixed time (default 20 ms) before its first byte. Runs alternate between the
 * probe's httpCheck (fresh connection each time) and `curl -w`, and the script prints the median and p99 of
 * |probe - curl| for connect (probe phases.connect vs curl time_connect - time_namelookup) and ttfb (probe phases.ttfb,
 * request written -> first byte, vs curl time_starttransfer - time_pretransfer). Both sides open a fresh
 * connection for every run (curl is a new process each time). Goal: median <= 0.2 ms and p99 <= 1 ms for both.
 *
 *   node --import tsx test/bench/probe-timing.ts   # BENCH_RUNS (200), BENCH_DELAY_MS (20)
 *
 * Where `chrt -f` is permitted (root) the script re-runs itself under it, which gives the script, curl and
 * the server real-time scheduling so that other load on the machine does not add process wake-up delays to
 * one side of a pair; without it (printed) figures are much noisier.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { httpCheck } from '../../probe/src/checks/http/run.ts';
import { readPcap } from './testing/pcap.ts';
import { tcpSegments } from './testing/pcap-tcp.ts';
import { startCapture, tcpdumpMissing } from './testing/tcpdump.ts';
import { type WireConnections, wireConnections, wirePhases } from './testing/wire-connections.ts';

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 20);
/** Unrecorded pairs first, so JIT warm-up and first-connection costs do not count. */
const WARMUP = 10;
const GOAL_MEDIAN_MS = 0.2;
const GOAL_P99_MS = 1;
const RT_ENV = 'FLYPROBE_BENCH_REALTIME';
const realtime = process.env[RT_ENV] !== undefined;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/**
 * The delaying server runs in its own process so that neither client shares an event loop with it
 * (a shared loop would shift the server's own timer for one client and not the other).
 */
async function startDelayServer(): Promise<{ port: number; close(): void }> {
  // Atomics.wait sleeps on a futex with sub-millisecond precision (libuv timers have 1 ms granularity, which
  // would give each request of a pair a different delay); the server serves one request at a time anyway.
  const code = `const ia = new Int32Array(new SharedArrayBuffer(4));
const s = require('node:http').createServer((q, r) => { Atomics.wait(ia, 0, 0, ${DELAY_MS}); r.end('ok'); });
s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  return { port: Number(line.toString().trim()), close: () => child.kill() };
}

interface Timing {
  connect: number;
  ttfb: number;
}

/** One pair as run: either side undefined when its request failed. */
interface Pair {
  probe: Timing | undefined;
  curl: Timing | undefined;
  curlPort: number;
}

async function probeRun(port: number): Promise<Timing | undefined> {
  const out = await httpCheck.run({
    protocol: 'http',
    target: 'bench',
    path: 'anycast',
    host: '127.0.0.1',
    port,
    timeoutMs: 5000,
  });
  const { connect, ttfb } = out.phases;
  return out.outcome === 'ok' && connect !== undefined && ttfb !== undefined ? { connect, ttfb } : undefined;
}

async function curlRun(url: string): Promise<{ timing: Timing | undefined; localPort: number }> {
  const { stdout } = await run('curl', [
    '-s',
    '-o',
    '/dev/null',
    '-w',
    '%{time_namelookup} %{time_connect} %{time_pretransfer} %{time_starttransfer} %{local_port}',
    url,
  ]);
  const fields = stdout.trim().split(' ').map(Number);
  const [namelookup, connectEnd, pretransfer, starttransfer] = fields.slice(0, 4).map((s) => s * 1000);
  const localPort = fields[4] ?? Number.NaN;
  if (
    [namelookup, connectEnd, pretransfer, starttransfer].some((v) => v === undefined || !Number.isFinite(v))
  ) {
    return { timing: undefined, localPort };
  }
  // curl's time_connect counts from the start (its resolver included); the probe's connect phase starts at SYN.
  return { timing: { connect: connectEnd! - namelookup!, ttfb: starttransfer! - pretransfer! }, localPort };
}

/** The wire's timing of every pair's two requests, or why the capture cannot be matched to the runs. */
function matchWire(
  pairs: readonly Pair[],
  wire: WireConnections,
): { probe: Timing; curl: Timing }[] | string {
  const conns = wire.connections;
  if (conns.length !== pairs.length * 2) {
    return `${conns.length} connections captured for ${pairs.length * 2} requests`;
  }
  const wrong = pairs.findIndex((p, i) => conns[2 * i + 1]!.clientPort !== p.curlPort);
  if (wrong >= 0) {
    return `request ${2 * wrong + 1} (curl) came from port ${pairs[wrong]!.curlPort}, the capture's connection ${2 * wrong + 1} from ${conns[2 * wrong + 1]!.clientPort}`;
  }
  const out: { probe: Timing; curl: Timing }[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const probe = wirePhases(conns[2 * i]!);
    const curl = wirePhases(conns[2 * i + 1]!);
    if (!probe || !curl) return `connection ${probe ? 2 * i + 1 : 2 * i} lacks its SYN-ACK or a payload`;
    out.push({ probe, curl });
  }
  return out;
}

/** Connections with a response so far (0 while the last record is still being written). */
function answered(file: Buffer, port: number): number {
  try {
    return wireConnections(tcpSegments(readPcap(file)).segments, port).connections.filter(
      (c) => c.responseMs !== undefined,
    ).length;
  } catch {
    return 0;
  }
}

const f = (n: number): string => n.toFixed(3).padStart(8);
const stats = (d: number[]): string => `${f(quantile(d, 0.5))} ms ${f(quantile(d, 0.99))} ms`;
const meets = (d: number[]): boolean =>
  quantile(d, 0.5) <= GOAL_MEDIAN_MS && quantile(d, 0.99) <= GOAL_P99_MS;
const PHASES = ['connect', 'ttfb'] as const;

function reportPaired(pairs: readonly Pair[]): void {
  const measured = pairs.slice(WARMUP).filter((p) => p.probe && p.curl) as { probe: Timing; curl: Timing }[];
  const failures = pairs.filter((p) => !p.probe || !p.curl).length;
  console.log(
    `probe-timing: ${measured.length} paired runs (${failures} failed), server delay ${DELAY_MS} ms, ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  console.log('phase      |probe-curl| median    p99   | probe median  curl median');
  const diffs = PHASES.map((ph) => measured.map((p) => Math.abs(p.probe[ph] - p.curl[ph])));
  PHASES.forEach((ph, i) => {
    const probe = measured.map((p) => p.probe[ph]);
    const curl = measured.map((p) => p.curl[ph]);
    console.log(
      `${ph.padEnd(10)} ${stats(diffs[i]!)} | ${f(quantile(probe, 0.5))} ms ${f(quantile(curl, 0.5))} ms`,
    );
  });
  console.log(
    `goal (|probe - curl| median <= ${GOAL_MEDIAN_MS} ms and p99 <= ${GOAL_P99_MS} ms for both): ${diffs.every(meets) ? 'met' : 'NOT met'}`,
  );
}

function reportWire(pairs: readonly Pair[], wire: { probe: Timing; curl: Timing }[]): void {
  const rows = pairs
    .map((p, i) => ({ ...p, wire: wire[i]! }))
    .slice(WARMUP)
    .filter((p) => p.probe && p.curl) as {
    probe: Timing;
    curl: Timing;
    wire: { probe: Timing; curl: Timing };
  }[];
  console.log('phase    tool   |tool-wire| median    p99   signed median | wire median');
  const errors = { probe: [] as number[][], curl: [] as number[][] };
  for (const ph of PHASES) {
    for (const tool of ['probe', 'curl'] as const) {
      const signed = rows.map((r) => r[tool][ph] - r.wire[tool][ph]);
      const abs = signed.map(Math.abs);
      errors[tool].push(abs);
      const wireMedian = quantile(
        rows.map((r) => r.wire[tool][ph]),
        0.5,
      );
      console.log(
        `${ph.padEnd(8)} ${tool.padEnd(6)} ${stats(abs)} ${f(quantile(signed, 0.5))} ms     | ${f(wireMedian)} ms`,
      );
    }
  }
  console.log('phase    |wire(probe req) - wire(curl req)| median  p99 | |probe err - curl err| median  p99');
  for (const ph of PHASES) {
    const pair = rows.map((r) => Math.abs(r.wire.probe[ph] - r.wire.curl[ph]));
    const residual = rows.map((r) =>
      Math.abs(r.probe[ph] - r.wire.probe[ph] - (r.curl[ph] - r.wire.curl[ph])),
    );
    console.log(`${ph.padEnd(8)} ${stats(pair)}                       | ${stats(residual)}`);
  }
  const verdict = (d: number[][]): string => (d.every(meets) ? 'met' : 'NOT met');
  console.log(
    `goal (probe against the wire: |probe - wire| median <= ${GOAL_MEDIAN_MS} ms and p99 <= ${GOAL_P99_MS} ms for both phases): ` +
      `${verdict(errors.probe)} (curl, the C client on the same machine: ${verdict(errors.curl)})`,
  );
}

async function main(): Promise<void> {
  const server = await startDelayServer();
  const port = server.port;
  const url = `http://127.0.0.1:${port}/`;
  const noCapture = tcpdumpMissing();
  const dir = mkdtempSync(join(tmpdir(), 'flyprobe-timing-'));
  const capture =
    noCapture === undefined
      ? await startCapture({ port, file: join(dir, 'timing.pcap'), normalScheduling: realtime })
      : undefined;
  const pairs: Pair[] = [];
  try {
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const probe = await probeRun(port);
      const { timing: curl, localPort: curlPort } = await curlRun(url);
      pairs.push({ probe, curl, curlPort });
    }
    server.close();
    reportPaired(pairs);
    if (!capture) {
      console.log(`wire: not captured (${noCapture})`);
      return;
    }
    const expected = pairs.length * 2;
    const counts = await capture.stop((b) => answered(b, port) >= expected);
    const pcap = readPcap(readFileSync(capture.file));
    const wire = wireConnections(tcpSegments(pcap).segments, port);
    const matched =
      counts.droppedByKernel > 0
        ? `${counts.droppedByKernel} packets dropped by the kernel`
        : matchWire(pairs, wire);
    if (typeof matched === 'string') {
      console.log(`wire: not reported, the capture does not line up with the runs: ${matched}`);
      process.exitCode = 1;
      return;
    }
    console.log(
      `wire: ${wire.connections.length} connections in tcpdump's capture on lo (${pcap.precision} stamps, ${counts.captured} packets, 0 dropped); ` +
        `every curl request's local port matches its connection`,
    );
    reportWire(pairs, matched);
  } finally {
    server.close();
    await capture?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!realtime && spawnSync('chrt', ['-f', '10', 'true']).status === 0) {
  const rerun = spawnSync(
    'chrt',
    ['-f', '10', process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    {
      stdio: 'inherit',
      env: { ...process.env, [RT_ENV]: 'SCHED_FIFO 10 (chrt)' },
    },
  );
  process.exitCode = rerun.status ?? 1;
} else {
  console.log(`scheduling: ${process.env[RT_ENV] ?? 'normal (chrt -f not permitted here)'}`);
  await main();
}
