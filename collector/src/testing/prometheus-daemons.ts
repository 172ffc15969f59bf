import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@flyprobe/shared/testing';
import { until as poll } from './until.ts';

/**
 * Real Prometheus, promtool and Alertmanager (Debian packages `prometheus`, `prometheus-alertmanager`)
 * as test daemons on loopback, with temp data dirs and bounded waits. Tests skip with `missing(...)`.
 */
export const BIN = {
  prometheus: '/usr/bin/prometheus',
  promtool: '/usr/bin/promtool',
  alertmanager: '/usr/bin/prometheus-alertmanager',
} as const;

/** A skip reason naming the missing binaries, or undefined when all are installed. */
export function missing(...names: (keyof typeof BIN)[]): string | undefined {
  const absent = names.filter((n) => spawnSync(BIN[n], ['--version']).status !== 0);
  return absent.length > 0
    ? `${absent.map((n) => BIN[n]).join(', ')} not installed (apt-get install prometheus prometheus-alertmanager)`
    : undefined;
}

export interface ToolRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function promtool(args: string[], input?: string): ToolRun {
  const r = spawnSync(BIN.promtool, args, { input, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `until` paced for daemons: every 100 ms, and errors while a daemon or a stack starts are retried. */
export function until<T>(
  what: string | (() => string),
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  return poll(what, probe, timeoutMs, { everyMs: 100, ignoreErrors: true });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface Daemon {
  url: string;
  port: number;
  dir: string;
  log(): string;
  stop(): Promise<void>;
}

/** Starts `binary` with `args(port, dir)` and waits until `<url>/-/ready` answers 200. */
async function startDaemon(
  binary: string,
  args: (port: number, dir: string) => string[],
  opts: { dir?: string; scheme?: 'http' | 'https'; readyTimeoutMs?: number } = {},
): Promise<Daemon> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'flyprobe-daemon-'));
  const port = await freePort();
  const url = `${opts.scheme ?? 'http'}://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(binary, args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
  const append = (c: Buffer) => {
    log = (log + c.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (!opts.dir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(
      () => `${binary} ready on ${url} (log: ${log.slice(-800)})`,
      async () => {
        if (child.exitCode !== null) throw new Error('exited');
        // Behind TLS the client needs the test's certificates: an accepted connection is enough there.
        if (opts.scheme === 'https') return (await accepts(port)) ? true : undefined;
        const res = await fetch(`${url}/-/ready`);
        await res.arrayBuffer();
        return res.status === 200 ? true : undefined;
      },
      opts.readyTimeoutMs ?? 30_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, dir, log: () => log, stop };
}

/** A standalone Alertmanager (no cluster) that routes everything to a receiver that drops it. */
export function startAlertmanager(opts: {
  dir: string;
  configFile: string;
  webConfigFile?: string;
  scheme?: 'http' | 'https';
}): Promise<Daemon> {
  return startDaemon(
    BIN.alertmanager,
    (port, dir) => [
      `--config.file=${opts.configFile}`,
      `--storage.path=${join(dir, `am-data-${port}`)}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      ...(opts.webConfigFile ? [`--web.config.file=${opts.webConfigFile}`] : []),
    ],
    { dir: opts.dir, scheme: opts.scheme },
  );
}

export const BLACKHOLE_ALERTMANAGER_CONFIG =
  'route:\n  receiver: blackhole\n  group_wait: 1s\nreceivers:\n  - name: blackhole\n';

/** Prometheus with a temp TSDB; `configFile` must already exist in `dir`. */
export function startPrometheus(opts: { dir: string; configFile: string }): Promise<Daemon> {
  return startDaemon(
    BIN.prometheus,
    (port, dir) => [
      `--config.file=${opts.configFile}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    { dir: opts.dir },
  );
}
