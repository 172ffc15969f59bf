/**
 * Footprint, side by side in one run: the probe and prometheus-blackbox-exporter probe the same loopback
 * HTTP target at the same rate; CPU seconds (utime+stime from /proc/<pid>/stat) and RSS (/proc/<pid>/status)
 * per 1,000 HTTP probes for each. Then the probe's RSS with 100 targets x 3 protocols at a 5 s interval.
 * Figures only: never fails on a threshold.
 *
 *   node --import tsx test/bench/probe-footprint.ts [--rate 20] [--seconds 60] [--big-seconds 60]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEchoServer } from '@flyprobe/probe/echo';
import { Agent, request } from 'undici';
import { IngestReceiver } from '../../probe/src/reporter/testing/ingest-receiver.ts';
import { cpuSeconds, freePort, mb, memory, sleep, spawnProbe } from './probe-process.ts';

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

const dir = mkdtempSync(join(tmpdir(), 'flyprobe-footprint-'));
const echo = await startEchoServer({
  identity: { region: 'iad', machineId: 'bench-target', startedAt: Date.now() },
  host: '127.0.0.1',
  httpPort: 0,
  tcpPort: 0,
  grpcPort: 0,
});
const rx = await IngestReceiver.start();
const stops: (() => Promise<void> | void)[] = [() => echo.close(), () => rx.close(), () => rmSync(dir, { recursive: true, force: true })];

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
  writeFileSync(config, 'modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n    http:\n      preferred_ip_protocol: ip4\n');
  const proc = spawn('prometheus-blackbox-exporter', [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'ignore'],
  });
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

try {
  console.log(`footprint: ${RATE} HTTP probes/s each for ${SECONDS} s (after ${WARMUP_S} s warm-up), loopback target`);
  const bb = await startBlackbox();
  stops.push(() => {
    bb.proc.kill('SIGTERM');
  });
  const probe = spawnProbe(probeEnv(probeToml('side', RATE, 1000, ['http'])));
  stops.push(() => probe.stop());
  const driver = driveBlackbox(bb.port, RATE);
  stops.push(() => driver.stop());
  await probe.until(() => true, 30_000);
  await sleep(WARMUP_S * 1000);

  const probePid = probe.proc.pid!;
  const bbPid = bb.proc.pid!;
  const startProbeCpu = cpuSeconds(probePid);
  const startBbCpu = cpuSeconds(bbPid);
  const startProbeResults = probe.samples.at(-1)!.results;
  const startBbProbes = driver.counts.done;
  await sleep(SECONDS * 1000);
  const probeCpu = cpuSeconds(probePid) - startProbeCpu;
  const bbCpu = cpuSeconds(bbPid) - startBbCpu;
  const probeCount = probe.samples.at(-1)!.results - startProbeResults;
  const bbCount = driver.counts.done - startBbProbes;
  const probeMem = memory(probePid);
  const bbMem = memory(bbPid);
  driver.stop();
  await probe.stop();
  bb.proc.kill('SIGTERM');

  const row = (name: string, cpu: number, n: number, m: { rss: number; peak: number }) =>
    `${name.padEnd(30)} ${String(n).padStart(7)} ${cpu.toFixed(2).padStart(8)} ${((cpu / n) * 1000).toFixed(3).padStart(12)} ${mb(m.rss).padStart(8)} ${mb(m.peak).padStart(8)}`;
  console.log(`${'process'.padEnd(30)} ${'probes'.padStart(7)} ${'cpu s'.padStart(8)} ${'cpu s/1000'.padStart(12)} ${'RSS MB'.padStart(8)} ${'peak MB'.padStart(8)}`);
  console.log(row('flyprobe probe (node)', probeCpu, probeCount, probeMem));
  console.log(row('prometheus-blackbox-exporter', bbCpu, bbCount, bbMem));
  console.log(`blackbox probe_success: ${driver.counts.ok}/${driver.counts.done}; probe results stored by the loopback collector: ${rx.stored.size}`);
  console.log(`cpu per probe, probe / blackbox: ${((probeCpu / probeCount) / (bbCpu / bbCount)).toFixed(2)}`);

  console.log(`\nprobe with 100 targets x 3 protocols (http, tcp, grpc unary) every 5 s for ${BIG_SECONDS} s:`);
  const big = spawnProbe(probeEnv(probeToml('big', 100, 5000, ['http', 'tcp', 'grpc'])));
  stops.push(() => big.stop());
  await big.until(() => true, 30_000);
  await sleep(BIG_SECONDS * 1000);
  const bigMem = memory(big.proc.pid!);
  const last = big.samples.at(-1)!;
  const maxSampleRss = Math.max(...big.samples.map((s) => s.rssBytes));
  console.log(`results ${last.results}, missed runs ${last.missed}, RSS now ${mb(bigMem.rss)} MB, max sampled ${mb(maxSampleRss)} MB, peak (VmHWM) ${mb(bigMem.peak)} MB`);
  await big.stop();
} finally {
  for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
}
