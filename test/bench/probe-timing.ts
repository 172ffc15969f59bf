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
import { loadavg } from 'node:os';
import { promisify } from 'node:util';
import { httpCheck } from '../../probe/src/checks/http/run.ts';

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 20);
/** Unrecorded pairs first, so JIT warm-up and first-connection costs do not count. */
const WARMUP = 10;
const GOAL_MEDIAN_MS = 0.2;
const GOAL_P99_MS = 1;

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

async function main(): Promise<void> {
  const server = await startDelayServer();
  const port = server.port;
  const url = `http://127.0.0.1:${port}/`;
  const diffs = { connect: [] as number[], ttfb: [] as number[] };
  const raw = {
    probeConnect: [] as number[],
    curlConnect: [] as number[],
    probeTtfb: [] as number[],
    curlTtfb: [] as number[],
  };
  let failures = 0;
  for (let i = -WARMUP; i < RUNS; i++) {
    const out = await httpCheck.run({
      protocol: 'http',
      target: 'bench',
      path: 'anycast',
      host: '127.0.0.1',
      port,
      timeoutMs: 5000,
    });
    const { stdout } = await run('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{time_namelookup} %{time_connect} %{time_pretransfer} %{time_starttransfer}',
      url,
    ]);
    const [namelookup, connectEnd, pretransfer, starttransfer] = stdout
      .trim()
      .split(' ')
      .map((s) => Number(s) * 1000);
    // curl's time_connect counts from the start (its resolver included); the probe's connect phase starts at SYN.
    const connect =
      connectEnd === undefined || namelookup === undefined ? undefined : connectEnd - namelookup;
    if (
      out.outcome !== 'ok' ||
      out.phases.connect === undefined ||
      out.phases.ttfb === undefined ||
      connect === undefined ||
      pretransfer === undefined ||
      starttransfer === undefined
    ) {
      failures++;
      continue;
    }
    if (i < 0) continue;
    const curlTtfb = starttransfer - pretransfer;
    raw.probeConnect.push(out.phases.connect);
    raw.curlConnect.push(connect);
    raw.probeTtfb.push(out.phases.ttfb);
    raw.curlTtfb.push(curlTtfb);
    diffs.connect.push(Math.abs(out.phases.connect - connect));
    diffs.ttfb.push(Math.abs(out.phases.ttfb - curlTtfb));
  }
  server.close();
  const f = (n: number): string => n.toFixed(3).padStart(8);
  console.log(
    `probe-timing: ${diffs.connect.length} paired runs (${failures} failed), server delay ${DELAY_MS} ms, ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  console.log('phase      |probe-curl| median    p99   | probe median  curl median');
  for (const [name, d, p, c] of [
    ['connect', diffs.connect, raw.probeConnect, raw.curlConnect],
    ['ttfb', diffs.ttfb, raw.probeTtfb, raw.curlTtfb],
  ] as const) {
    console.log(
      `${name.padEnd(10)} ${f(quantile(d, 0.5))} ms ${f(quantile(d, 0.99))} ms | ${f(quantile(p, 0.5))} ms ${f(quantile(c, 0.5))} ms`,
    );
  }
  const goal = [diffs.connect, diffs.ttfb].every(
    (d) => quantile(d, 0.5) <= GOAL_MEDIAN_MS && quantile(d, 0.99) <= GOAL_P99_MS,
  );
  console.log(
    `goal (|probe - curl| median <= ${GOAL_MEDIAN_MS} ms and p99 <= ${GOAL_P99_MS} ms for both): ${goal ? 'met' : 'NOT met'}`,
  );
}

const RT_ENV = 'FLYPROBE_BENCH_REALTIME';
if (process.env[RT_ENV] === undefined && spawnSync('chrt', ['-f', '10', 'true']).status === 0) {
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
