/**
 * Shared by the probe benchmarks: a probe child process (this file run with `child`), /proc readings
 * (CPU seconds, RSS) and small helpers. The child prints one JSON line per second (ChildSample);
 * SIGUSR2 starts a new event-loop measurement window (probe-capacity.ts; probe-footprint.ts runs the
 * shipped bundle itself, probe-shipped.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface ChildSample {
  results: number;
  missed: number;
  /** Event-loop delay p99 of the last second. */
  p99Ms: number;
  /** Event-loop delay p99 since the last SIGUSR2 (a measurement window). */
  windowP99Ms: number;
  rssBytes: number;
}

const CLK_TCK = 100;

/** utime + stime of a process in seconds, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** VmRSS and VmHWM (peak) of a process in bytes, from /proc/<pid>/status. */
export function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Resident memory of a process by kind of mapping, in bytes, from /proc/<pid>/smaps. */
export interface SmapsSummary {
  /** File pages of the node executable itself (its code, the V8 snapshot, built-in JS sources, ICU data). */
  nodeBinary: number;
  /** Other file pages: shared libraries. */
  otherFiles: number;
  /** malloc's main arena (the brk heap). */
  brkHeap: number;
  /** Anonymous mappings: the V8 heap, malloc's thread arenas and large blocks, thread stacks. */
  anonymous: number;
}

export function smapsSummary(pid: number): SmapsSummary {
  const sum: SmapsSummary = { nodeBinary: 0, otherFiles: 0, brkHeap: 0, anonymous: 0 };
  const exe = readlinkSync(`/proc/${pid}/exe`);
  let kind: keyof SmapsSummary = 'anonymous';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      const name = mapping[1] ?? '';
      kind =
        name === '[heap]'
          ? 'brkHeap'
          : name.startsWith('/')
            ? name === exe
              ? 'nodeBinary'
              : 'otherFiles'
            : 'anonymous';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) sum[kind] += Number(rss[1]) * 1024;
  }
  return sum;
}

/** SIGTERM (the probe flushes and exits), SIGKILL after 10 s; resolves once the process has exited. */
export async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

export interface ProbeChild {
  proc: ChildProcess;
  samples: ChildSample[];
  /** Resolves with the first sample for which `predicate` holds. */
  until(predicate: (s: ChildSample) => boolean, timeoutMs: number): Promise<ChildSample>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** `taskset -c` CPU list. */
  cpus?: string;
  /** A bundle from bundleProbe() run by plain node (as the image runs the probe); default: this file through tsx. */
  bundle?: string;
  nodeFlags?: string[];
}

/** Bundles this file (probe included) the way probe/build.ts bundles the CLI; returns the entry's path. */
export async function bundleProbe(dir: string): Promise<string> {
  // Imported here: build.ts runs a build when it is the entry module, which in the bundle it would be.
  const { buildProbeBundle } = await import('../../probe/build.ts');
  return buildProbeBundle(join(dir, 'dist'), fileURLToPath(import.meta.url));
}

/** Spawns a probe (loadProbeSettings(env) + startProbe) in its own process, optionally pinned to CPUs. */
export function spawnProbe(env: NodeJS.ProcessEnv, opts: SpawnOptions = {}): ProbeChild {
  const self = fileURLToPath(import.meta.url);
  const flags = opts.nodeFlags ?? [];
  const args = opts.bundle ? [...flags, opts.bundle, 'child'] : [...flags, '--import', 'tsx', self, 'child'];
  const cpus = opts.cpus;
  const childEnv = { ...process.env, ...env };
  const proc = cpus
    ? spawn('taskset', ['-c', cpus, process.execPath, ...args], {
        env: childEnv,
        stdio: ['ignore', 'pipe', 'inherit'],
      })
    : spawn(process.execPath, args, {
        env: childEnv,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
  const samples: ChildSample[] = [];
  const waiters: { predicate: (s: ChildSample) => boolean; resolve: (s: ChildSample) => void }[] = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    const s = JSON.parse(line) as ChildSample;
    samples.push(s);
    for (const w of [...waiters]) {
      if (w.predicate(s)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(s);
      }
    }
  });
  return {
    proc,
    samples,
    until: (predicate, timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('probe child: timed out')), timeoutMs);
        waiters.push({
          predicate,
          resolve: (s) => {
            clearTimeout(timer);
            resolve(s);
          },
        });
      }),
    stop: () => stopChild(proc),
  };
}

async function child(): Promise<void> {
  const { loadProbeSettings, startProbe } = await import('@flyprobe/probe');
  const probe = await startProbe(loadProbeSettings(process.env), { log: () => undefined });
  // The histograms record whole 10 ms timer intervals; the delay is what exceeds the resolution.
  const p99 = (h: ReturnType<typeof monitorEventLoopDelay>) =>
    h.count > 0 ? Math.max(0, h.percentile(99) / 1e6 - 10) : 0;
  const second = monitorEventLoopDelay({ resolution: 10 });
  const windowed = monitorEventLoopDelay({ resolution: 10 });
  second.enable();
  windowed.enable();
  process.on('SIGUSR2', () => windowed.reset());
  const timer = setInterval(() => {
    const s = probe.stats();
    const p99Ms = p99(second);
    second.reset();
    const sample: ChildSample = {
      results: s.results,
      missed: s.missedRuns,
      p99Ms,
      windowP99Ms: p99(windowed),
      rssBytes: process.memoryUsage.rss(),
    };
    process.stdout.write(`${JSON.stringify(sample)}\n`);
  }, 1000);
  process.once('SIGTERM', () => {
    clearInterval(timer);
    void probe.stop().then(() => process.exit(0));
  });
}

if (process.argv[2] === 'child') await child();
