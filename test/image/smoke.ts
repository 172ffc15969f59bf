import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Protocol, TargetConfigInput } from '@flyprobe/shared';
import { freePort } from '@flyprobe/shared/testing';
import { waitFor } from '../lab/wait.ts';
import { imageTag } from './build-images.ts';
import type { Podman } from './podman.ts';

/** What running the two images showed; the test asserts on it, the benchmark prints it. */
export interface SmokeReport {
  /** `--help` through the probe image's entrypoint (exit 0, or the run throws). */
  probeHelpText: string;
  probeNodeVersion: string;
  collectorHealthz: number;
  /** The dashboard's page and one of its modules, served from files the image must carry. */
  dashboardStatus: number[];
  /** Uid of the collector process (pid 1 after `exec setpriv`), not root once /data is handed over. */
  collectorUid: number;
  databaseOnVolume: boolean;
  probeHealthz: number;
  /** ok results the probe reported to the collector, by protocol. */
  okResults: Partial<Record<Protocol, number>>;
  probeExitCode: number;
  collectorExitCode: number;
  /** Every file under the collector image's /app: only collector/build.ts's bundle and better-sqlite3 beside it. */
  collectorAppFiles: string[];
  /** The collector's pid 1 command line once running (NUL-separated arguments joined by spaces). */
  collectorCommand: string;
  /** `flyprobe --help` inside the collector image, the way an operator runs it over `fly ssh console`. */
  collectorCliHelp: string;
  /** Every file under the probe image's /app: only the bundle (entry, chunks) and its .proto. */
  probeAppFiles: string[];
}

/** Lists paths inside an image without starting its entrypoint. */
async function listInImage(podman: Podman, image: string, script: string): Promise<string[]> {
  const out = await podman.run(['run', '--rm', '--entrypoint', 'sh', image, '-c', script], {
    timeoutMs: 60_000,
  });
  return out.split('\n').filter(Boolean).sort();
}

// The probe token is bound to this identity, as `flyprobe deploy` binds one per Machine.
const PROBE = { probeId: 'iad-image', app: 'flyprobe-image', region: 'iad' };
const START_TIMEOUT_MS = 120_000;
const PROTOCOLS: Protocol[] = ['http', 'tcp', 'grpc'];

async function status(url: string, token?: string): Promise<number | undefined> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  await res.arrayBuffer();
  return res.ok ? res.status : undefined;
}

async function exitCode(podman: Podman, name: string): Promise<number> {
  await podman.run(['stop', '--time', '30', name], { timeoutMs: 60_000 });
  const out = await podman.run(['inspect', '--format', '{{.State.ExitCode}}', name], { timeoutMs: 30_000 });
  return Number(out.trim());
}

/**
 * Runs the collector image against a temporary volume and the probe image pointed at it, both on
 * the host's loopback (host networking, free ports): the probe measures its own echo server over
 * http, tcp and grpc and reports to the collector, which stores the results on the volume.
 */
export async function smokeImages(podman: Podman, workDir: string, logPath: string): Promise<SmokeReport> {
  const run = (args: string[], timeoutMs = 120_000) => podman.run(args, { timeoutMs, logPath });
  const suffix = randomBytes(3).toString('hex');
  const names = { collector: `flyprobe-collector-${suffix}`, probe: `flyprobe-probe-${suffix}` };
  const volume = mkdtempSync(join(workDir, 'volume-'));
  const admin = randomBytes(16).toString('hex');
  const [apiPort, httpPort, tcpPort, grpcPort, metricsPort] = await Promise.all(
    Array.from({ length: 5 }, () => freePort()),
  );
  const api = `http://127.0.0.1:${apiPort}`;
  const target: TargetConfigInput = {
    name: 'self',
    host: '127.0.0.1',
    paths: ['anycast'],
    protocols: PROTOCOLS,
    http: { port: httpPort, path: '/echo' },
    tcp: { port: tcpPort },
    grpc: { port: grpcPort, streams: 0 },
    intervalMs: 1000,
    timeoutMs: 3000,
  };
  writeFileSync(join(volume, 'targets.json'), JSON.stringify([target]));
  try {
    const help = await run(['run', '--rm', imageTag('probe'), '--help']);
    const probeNodeVersion = (
      await run(['run', '--rm', '--entrypoint', 'node', imageTag('probe'), '--version'])
    ).trim();
    const collectorAppFiles = await listInImage(podman, imageTag('collector'), 'find /app -type f');
    const collectorCliHelp = await run(['run', '--rm', imageTag('collector'), 'flyprobe', '--help']);
    const probeAppFiles = await listInImage(podman, imageTag('probe'), 'find /app -type f');

    await run([
      'run',
      '--detach',
      '--name',
      names.collector,
      '--network',
      'host',
      '--volume',
      `${volume}:/data`,
      ...env({
        FLYPROBE_DB: '/data/flyprobe.db',
        FLYPROBE_HOST: '127.0.0.1',
        FLYPROBE_PORT: String(apiPort),
        FLYPROBE_ADMIN_TOKEN: admin,
        FLYPROBE_TARGETS_FILE: '/data/targets.json',
        FLYPROBE_REPORT_INTERVAL_MS: '1000',
      }),
      imageTag('collector'),
    ]);
    const collectorHealthz = await waitFor(
      'collector /healthz',
      () => status(`${api}/healthz`),
      START_TIMEOUT_MS,
      500,
    );
    const dashboardStatus = await Promise.all(
      ['/dashboard/', '/dashboard/main.js'].map(async (path) => (await fetch(`${api}${path}`)).status),
    );
    const procStatus = await run(['exec', names.collector, 'cat', '/proc/1/status']);
    const collectorUid = Number(/^Uid:\s+(\d+)/m.exec(procStatus)?.[1] ?? Number.NaN);
    const collectorCommand = (await run(['exec', names.collector, 'cat', '/proc/1/cmdline']))
      .split('\0')
      .filter(Boolean)
      .join(' ');

    const minted = await fetch(`${api}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'probe', ...PROBE }),
    });
    if (minted.status !== 201) throw new Error(`POST /v1/tokens: ${minted.status} ${await minted.text()}`);
    const { secret } = (await minted.json()) as { secret: string };

    await run([
      'run',
      '--detach',
      '--name',
      names.probe,
      '--network',
      'host',
      ...env({
        FLYPROBE_REGION: PROBE.region,
        FLYPROBE_PROBE_ID: PROBE.probeId,
        FLYPROBE_APP: PROBE.app,
        FLYPROBE_MACHINE_ID: 'image',
        FLYPROBE_COLLECTOR_URL: api,
        FLYPROBE_TOKEN: secret,
        FLYPROBE_BIND: '127.0.0.1',
        FLYPROBE_ECHO_HTTP_PORT: String(httpPort),
        FLYPROBE_ECHO_TCP_PORT: String(tcpPort),
        FLYPROBE_ECHO_GRPC_PORT: String(grpcPort),
        FLYPROBE_METRICS_PORT: String(metricsPort),
      }),
      imageTag('probe'),
    ]);
    const probeHealthz = await waitFor(
      'probe /healthz',
      () => status(`http://127.0.0.1:${metricsPort}/healthz`),
      START_TIMEOUT_MS,
      500,
    );
    const okResults = await waitFor(
      'ok http, tcp and grpc results from the probe',
      async () => {
        const res = await fetch(`${api}/v1/results?probeId=${PROBE.probeId}&limit=1000`, {
          headers: { authorization: `Bearer ${admin}` },
        });
        const { results } = (await res.json()) as { results: { protocol: Protocol; outcome: string }[] };
        const counts: Partial<Record<Protocol, number>> = {};
        for (const r of results) if (r.outcome === 'ok') counts[r.protocol] = (counts[r.protocol] ?? 0) + 1;
        return PROTOCOLS.every((p) => (counts[p] ?? 0) > 0) ? counts : undefined;
      },
      START_TIMEOUT_MS,
      1000,
    );
    const probeExitCode = await exitCode(podman, names.probe);
    const collectorExitCode = await exitCode(podman, names.collector);
    return {
      probeHelpText: help,
      probeNodeVersion,
      collectorHealthz,
      dashboardStatus,
      collectorUid,
      databaseOnVolume: existsSync(join(volume, 'flyprobe.db')),
      probeHealthz,
      okResults,
      probeExitCode,
      collectorExitCode,
      collectorAppFiles,
      collectorCommand,
      collectorCliHelp,
      probeAppFiles,
    };
  } finally {
    await run(['rm', '--force', names.probe, names.collector]).catch(() => '');
    rmSync(volume, { recursive: true, force: true });
  }
}

function env(vars: Record<string, string>): string[] {
  return Object.entries(vars).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
}
