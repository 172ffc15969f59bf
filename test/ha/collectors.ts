import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./collector-process.ts', import.meta.url));

export interface CollectorProcess {
  url: string;
  child: ChildProcess;
  /** Log lines (JSON) the collector wrote, newest last, at most 500. */
  logs: string[];
  /** SIGKILL (a dead Machine) or SIGTERM (a deploy); resolves when the process is gone. */
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
}

/** Starts `collector-process.ts` with `env` on a loopback port; resolves once it listens. */
export async function spawnCollector(env: Record<string, string>): Promise<CollectorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, FLYPROBE_HOST: '127.0.0.1', FLYPROBE_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const keep = (line: string) => {
    logs.push(line);
    if (logs.length > 500) logs.shift();
  };
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', keep);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`collector not ready in 60 s: ${logs.slice(-5).join('\n')}`)),
      60_000,
    );
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) {
        clearTimeout(timer);
        resolve(line.slice(6));
      } else keep(line);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`collector exited (${code}) before it was ready: ${logs.slice(-5).join('\n')}`));
    });
  });
  return {
    url,
    child,
    logs,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
}

/** 1 when the collector at `url` holds the detector lease (its `/metrics`), 0 when not, null when unreachable. */
export async function isLeader(url: string): Promise<number | null> {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2000) });
    const m = /^flyprobe_detector_leader (\d+)/m.exec(await res.text());
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
