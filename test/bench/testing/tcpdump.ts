/**
 * A real tcpdump capture of one TCP port on the loopback device, written as a pcap with nanosecond
 * timestamps. The kernel stamps each packet as the sending socket hands it to `lo` (one copy per packet:
 * Linux's packet sockets do not see the looped-back receive), in the sender's context, so the stamps do
 * not depend on when tcpdump itself gets to run.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const LISTEN_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
/** Enough for Ethernet + IPv4 + TCP headers with options; payload lengths come from the IP header. */
const SNAP_LEN = 160;

/** Why a capture cannot run here, or undefined when it can. */
export function tcpdumpMissing(): string | undefined {
  if (spawnSync('tcpdump', ['--version']).status !== 0)
    return 'tcpdump not installed (apt-get install tcpdump)';
  if (process.getuid?.() !== 0)
    return `capturing on lo needs root; this process is uid ${process.getuid?.()}`;
  return undefined;
}

export interface CaptureStats {
  captured: number;
  droppedByKernel: number;
}

export interface Capture {
  readonly file: string;
  /**
   * Stops tcpdump and returns its counts. libpcap hands packets over in blocks (at the latest about a
   * second after they were seen), so `ready` is polled on the file's bytes first, until it holds what the
   * caller expects or `waitMs` passes; tcpdump writes what it has on SIGINT. Later calls return the
   * first call's result.
   */
  stop(ready?: (file: Buffer) => boolean, waitMs?: number): Promise<CaptureStats>;
}

export interface CaptureOptions {
  port: number;
  file: string;
  /** Run tcpdump under SCHED_OTHER even when this process has a real-time policy (chrt -o). */
  normalScheduling?: boolean;
}

export async function startCapture(opts: CaptureOptions): Promise<Capture> {
  // -U: each packet is written as libpcap delivers it; -Z root: no privilege drop, so the file can be
  // written in a root-only temporary directory; no --immediate-mode: one wake-up per block, not per packet,
  // keeps tcpdump off the cores the measured processes run on.
  const args = ['-i', 'lo', '-n', '-U', '-Z', 'root', '--time-stamp-precision=nano'];
  args.push('-s', String(SNAP_LEN), '-w', opts.file, `tcp port ${opts.port}`);
  const child = opts.normalScheduling
    ? spawn('chrt', ['-o', '0', 'tcpdump', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn('tcpdump', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(`did not say "listening on" within ${LISTEN_TIMEOUT_MS} ms`),
      LISTEN_TIMEOUT_MS,
    );
    const onData = (): void => {
      if (!stderr.includes('listening on')) return;
      done();
      resolve();
    };
    const fail = (why: string): void => {
      done();
      child.kill('SIGKILL');
      reject(new Error(`tcpdump ${why}: ${stderr.trim()}`));
    };
    const onExit = (code: number | null): void => fail(`exited (${code}) before listening`);
    const onError = (err: Error): void => fail(`could not start: ${err.message}`);
    const done = (): void => {
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      child.off('close', onExit).off('error', onError);
    };
    child.stderr!.on('data', onData);
    child.once('close', onExit).once('error', onError);
  });
  let stopped: Promise<CaptureStats> | undefined;
  return {
    file: opts.file,
    stop(ready, waitMs = 5_000) {
      stopped ??= (async () => {
        const until = performance.now() + waitMs;
        while (ready && performance.now() < until && !ready(readFileSync(opts.file))) {
          await new Promise((r) => setTimeout(r, 100));
        }
        return stopTcpdump(child, exited, () => stderr);
      })();
      return stopped;
    },
  };
}

async function stopTcpdump(
  child: ChildProcess,
  exited: Promise<number | null>,
  stderr: () => string,
): Promise<CaptureStats> {
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  const code = await exited;
  clearTimeout(timer);
  const text = stderr();
  const count = (what: string): number | undefined => {
    const m = new RegExp(`^(\\d+) packets? ${what}$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const captured = count('captured');
  const droppedByKernel = count('dropped by kernel');
  if (code !== 0 || captured === undefined || droppedByKernel === undefined) {
    throw new Error(`tcpdump did not stop cleanly (exit ${code}): ${text.trim()}`);
  }
  return { captured, droppedByKernel };
}
