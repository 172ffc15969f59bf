import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ProbeResult } from '@flyprobe/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEcho, startEchoServer } from './echo/index.ts';
import { loadProbeSettings, type ProbeSettings, type RunningProbe, startProbe } from './index.ts';
import { until } from './reporter/testing/fixtures.ts';
import { IngestReceiver } from './reporter/testing/ingest-receiver.ts';

let echo: RunningEcho;
const dir = mkdtempSync(join(tmpdir(), 'flyprobe-agent-'));
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  echo = await startEchoServer({
    identity: { region: 'fra', machineId: 'echo-1', startedAt: Date.now() },
    host: '127.0.0.1',
    httpPort: 0,
    tcpPort: 0,
    grpcPort: 0,
  });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await echo.close();
  rmSync(dir, { recursive: true, force: true });
});

async function receiver(): Promise<IngestReceiver> {
  const rx = await IngestReceiver.start();
  cleanups.push(() => rx.close());
  return rx;
}

/** A TOML file probing the loopback echo server on the anycast and pinned paths. */
function probeFile(name: string, intervalMs = 200, reportIntervalMs = 100): string {
  const path = join(dir, `${name}.toml`);
  writeFileSync(
    path,
    `
bind = "127.0.0.1"
[echo]
enabled = false
[metrics]
port = 0
[report]
intervalMs = ${reportIntervalMs}
[[targets]]
name = "web"
host = "127.0.0.1"
regions = ["fra"]
paths = ["anycast", "pinned"]
intervalMs = ${intervalMs}
timeoutMs = 2000
http = { port = ${echo.httpPort} }
tcp = { port = ${echo.tcpPort} }
grpc = { port = ${echo.grpcPort}, streams = 0 }
`,
  );
  return path;
}

function env(
  rx: IngestReceiver | undefined,
  file: string,
  more: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    FLYPROBE_REGION: 'iad',
    FLYPROBE_MACHINE_ID: 'agent-test',
    FLYPROBE_CONFIG: file,
    ...(rx ? { FLYPROBE_COLLECTOR_URL: rx.url, FLYPROBE_TOKEN: 'probe-token' } : {}),
    ...more,
  };
}

async function start(settings: ProbeSettings): Promise<RunningProbe> {
  const probe = await startProbe(settings, { log: () => undefined });
  cleanups.push(() => probe.stop());
  return probe;
}

describe('startProbe', () => {
  it('probes over http, tcp and grpc, reports every result once, and serves metrics and healthz', async () => {
    const rx = await receiver();
    const probe = await start(loadProbeSettings(env(rx, probeFile('e2e'))));
    await rx.waitFor(
      () => new Set([...rx.stored.values()].map((r) => `${r.protocol}/${r.path}`)).size >= 5,
      20_000,
      'all kinds',
    );
    const kinds = new Set([...rx.stored.values()].map((r) => `${r.protocol}/${r.path}/${r.outcome}`));
    expect([...kinds].sort()).toEqual([
      'grpc/anycast/ok',
      'grpc/pinned/ok',
      'http/anycast/ok',
      'http/pinned/ok',
      'tcp/anycast/ok',
    ]);
    const pinned = [...rx.stored.values()].find((r) => r.path === 'pinned' && r.protocol === 'http');
    expect(pinned).toMatchObject({ targetRegion: 'fra', servedRegion: 'fra' });
    expect(rx.batches[0]?.probe).toMatchObject({
      probeId: 'iad-agent-test',
      region: 'iad',
      bootId: probe.identity.bootId,
    });
    expect(rx.batches.at(-1)?.heartbeat).toBeDefined();

    const metrics = await fetch(`http://127.0.0.1:${probe.metricsPort}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(
      /^flyprobe_probe_results_total\{protocol="tcp",path="anycast",outcome="ok",probe="iad-agent-test",probe_region="iad"\} \d+/m,
    );
    expect(metrics).toMatch(/^flyprobe_probe_check_duration_seconds_bucket\{/m);
    expect(metrics).toMatch(/^flyprobe_probe_buffer_results\{/m);
    expect(metrics).toMatch(/^flyprobe_probe_event_loop_delay_p99_seconds\{/m);
    // blackbox-style per-check series: the last pinned HTTP measurement to fra succeeded.
    expect(metrics).toMatch(
      /^flyprobe_probe_success\{target="[^"]+",path="pinned",protocol="http",target_region="fra",probe="iad-agent-test",probe_region="iad"\} 1$/m,
    );
    expect(metrics).toMatch(
      /^flyprobe_probe_phase_duration_seconds\{[^}]*path="pinned",protocol="http"[^}]*phase="connect"/m,
    );
    const healthz = await fetch(`http://127.0.0.1:${probe.metricsPort}/healthz`);
    expect(healthz.status).toBe(200);
    expect(await healthz.json()).toMatchObject({
      status: 'ok',
      probeId: 'iad-agent-test',
      scheduledChecks: 5,
    });

    await probe.stop();
    const produced = probe.stats().results;
    expect(rx.stored.size).toBe(produced);
    expect([...rx.stored.values()].map((r) => r.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: produced }, (_, i) => i),
    );
    expect(rx.duplicates).toBe(0);
  });

  it('holds gRPC tick streams, samples them, and reports their end on stop', async () => {
    const rx = await receiver();
    const file = join(dir, 'streams.toml');
    writeFileSync(
      file,
      `bind = "127.0.0.1"\n[echo]\nenabled = false\n[metrics]\nport = 0\n[report]\nintervalMs = 100\n` +
        `[[targets]]\nname = "web"\nhost = "127.0.0.1"\npaths = ["anycast"]\nprotocols = ["grpc"]\nintervalMs = 300\n` +
        `grpc = { port = ${echo.grpcPort}, streams = 1, tickIntervalMs = 50 }\n`,
    );
    const probe = await start(loadProbeSettings(env(rx, file)));
    const streamResults = () => [...rx.stored.values()].filter((r) => r.stream);
    await rx.waitFor(
      () => streamResults().some((r) => r.stream?.event === 'sample' && r.stream.ticks > 0),
      20_000,
      'a sample',
    );
    expect(probe.stats().openStreams).toBe(1);
    await probe.stop();
    const end = streamResults().find((r) => r.stream?.event === 'end');
    expect(end?.stream).toMatchObject({ event: 'end', endReason: 'cancelled' });
    expect(end?.stream?.ticks).toBeGreaterThan(0);
  });

  it('runs with a local config only (no collector) and hands results to listeners', async () => {
    const probe = await start(loadProbeSettings(env(undefined, probeFile('local'))));
    const seen: ProbeResult[] = [];
    probe.onResult((r) => seen.push(r));
    await until(() => seen.length >= 5, 20_000, 'local results');
    expect(seen.map((r) => r.seq)).toEqual(seen.map((_, i) => seen[0]!.seq + i));
    expect(probe.stats().bufferDepth).toBe(0);
  });

  it('reconfigures live from the collector config, and refuses an invalid one', async () => {
    const rx = await receiver();
    rx.setConfig({ schemaVersion: 1, revision: 'r1', targets: [] }, 'e1');
    const probe = await start(loadProbeSettings(env(rx, probeFile('remote-empty'))));
    expect(probe.config().revision).toBe('r1');
    // The file's static target is merged under the remote config.
    expect(probe.stats().scheduledChecks).toBe(5);
    rx.setConfig(
      {
        schemaVersion: 1,
        revision: 'r2',
        targets: [
          {
            name: 'api',
            host: '127.0.0.1',
            paths: ['anycast'],
            protocols: ['tcp'],
            intervalMs: 200,
            tcp: { port: echo.tcpPort },
          },
        ],
      },
      'e2',
    );
    expect(await probe.refreshConfig()).toBe('applied');
    expect(probe.stats().scheduledChecks).toBe(6);
    await rx.waitFor(
      () => [...rx.stored.values()].some((r) => r.target === 'api'),
      20_000,
      'results for the new target',
    );
    rx.setConfig('{"schemaVersion":1,"revision":"r3","targets":[{"name":"bad","intervalMs":1}]}', 'e3');
    expect(await probe.refreshConfig()).toBe('invalid');
    expect(probe.config().revision).toBe('r2');
    const metrics = await probe.metrics.registry
      .getSingleMetric('flyprobe_probe_config_updates_total')
      ?.get();
    expect(metrics?.values.find((v) => v.labels.result === 'invalid')?.value).toBe(1);
  });

  it('flags results measured while the probe itself is degraded', async () => {
    const rx = await receiver();
    const probe = await start(
      loadProbeSettings(env(rx, probeFile('degraded'), { FLYPROBE_DEGRADED_LAG_MS: '150' })),
    );
    const seen: ProbeResult[] = [];
    probe.onResult((r) => seen.push(r));
    await until(() => seen.length >= 3 && seen.at(-1)?.degraded === undefined, 20_000, 'healthy results');
    const end = performance.now() + 400;
    while (performance.now() < end) {
      // block the event loop: the probe's own measurements are now unreliable
    }
    const before = seen.length;
    // Results that were already in flight can land before the lag monitor's next sample notices the stall, so
    // watch a bounded run of results after it rather than only the first three.
    const flagged = () => seen.slice(before).some((r) => r.degraded === true);
    await until(() => flagged() || seen.length >= before + 20, 20_000, 'results after the stall');
    expect(flagged()).toBe(true);
  });

  it('loses nothing across a probe restart with a spool directory', async () => {
    const rx = await receiver();
    rx.behaviour = { kind: 'status', status: 503 };
    const spool = join(dir, 'spool-restart');
    const settings = loadProbeSettings(env(rx, probeFile('spool'), { FLYPROBE_SPOOL_DIR: spool }));
    const first = await startProbe(settings, { log: () => undefined });
    await until(() => first.stats().results >= 6, 20_000, 'first boot results');
    await first.stop();
    const firstBoot = first.identity;
    const firstCount = first.stats().results;
    expect(first.stats().dropped).toEqual({});
    expect(rx.stored.size).toBe(0);

    rx.behaviour = { kind: 'store' };
    const second = await start(settings);
    expect(second.identity.bootId).not.toBe(firstBoot.bootId);
    await rx.waitFor(
      () =>
        Array.from({ length: firstCount }, (_, seq) => rx.key(firstBoot, seq)).every((k) => rx.stored.has(k)),
      20_000,
      'the first boot results under their original keys',
    );
    await rx.waitFor(
      () => [...rx.stored.keys()].some((k) => k.includes(second.identity.bootId)),
      20_000,
      'second boot results',
    );
    expect(rx.duplicates).toBe(0);
  });
});

const child = fileURLToPath(new URL('./reporter/testing/probe-child.ts', import.meta.url));

function spawnProbe(environment: NodeJS.ProcessEnv): {
  proc: ChildProcess;
  events: Record<string, unknown>[];
  next(event: string): Promise<Record<string, unknown>>;
} {
  const proc = spawn(process.execPath, ['--import', 'tsx', child], {
    env: { PATH: process.env.PATH, ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  });
  const events: Record<string, unknown>[] = [];
  const waiting: { event: string; resolve: (e: Record<string, unknown>) => void }[] = [];
  let stderr = '';
  proc.stderr!.on('data', (c) => {
    stderr += c;
  });
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    const e = JSON.parse(line) as Record<string, unknown>;
    events.push(e);
    for (const w of waiting.filter((x) => x.event === e.event)) w.resolve(e);
  });
  const next = (event: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const found = events.find((e) => e.event === event);
      if (found) return resolve(found);
      const timer = setTimeout(() => reject(new Error(`no ${event} event; stderr: ${stderr}`)), 30_000);
      waiting.push({
        event,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
      proc.once('exit', (code) =>
        setTimeout(() => reject(new Error(`exited ${code} before ${event}; stderr: ${stderr}`)), 100),
      );
    });
  return { proc, events, next };
}

const exited = (proc: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    proc.exitCode !== null ? resolve(proc.exitCode) : proc.once('exit', (c) => resolve(c)),
  );

describe('SIGTERM', () => {
  it('flushes every buffered result before the process exits', async () => {
    const rx = await receiver();
    // A long report interval: results stay buffered until the SIGTERM flush.
    const file = probeFile('sigterm', 100, 600_000);
    const { proc, next } = spawnProbe(env(rx, file, { FLYPROBE_SHUTDOWN_TIMEOUT_MS: '4000' }));
    await next('ready');
    expect(rx.stored.size).toBe(0);
    proc.kill('SIGTERM');
    const stopped = await next('stopped');
    expect(await exited(proc)).toBe(0);
    const stats = stopped.stats as { results: number; dropped: Record<string, number> };
    expect(stats.results).toBeGreaterThanOrEqual(5);
    expect(stats.dropped).toEqual({});
    expect(rx.stored.size).toBe(stats.results);
  });

  it('exits within the shutdown deadline when the collector hangs, counting what it could not send', async () => {
    const rx = await receiver();
    rx.behaviour = { kind: 'hang' };
    const { proc, next } = spawnProbe(
      env(rx, probeFile('sigterm-hang'), { FLYPROBE_SHUTDOWN_TIMEOUT_MS: '1500' }),
    );
    await next('ready');
    proc.kill('SIGTERM');
    const stopped = await next('stopped');
    expect(await exited(proc)).toBe(0);
    const stats = stopped.stats as { results: number; dropped: Record<string, number> };
    expect(stats.dropped.shutdown).toBe(stats.results);
    expect(rx.stored.size).toBe(0);
  });
});
