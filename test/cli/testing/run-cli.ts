import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(REPO_ROOT, 'cli', 'bin', 'flyprobe.mjs');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `flyprobe` binary with only the given environment (plus PATH/HOME), so nothing from the
 * developer's shell (FLY_API_TOKEN, FLYPROBE_*) leaks in. Killed after `timeoutMs` so a hang fails the test.
 */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 90_000,
): Promise<CliRun> {
  const p = spawnCli(args, env);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  return p.exited.finally(() => clearTimeout(timer));
}

/** The binary with only `env` (plus PATH/HOME), its output collected; `onStdout` runs on every chunk. */
function spawnCli(args: string[], env: Record<string, string>, onStdout = (): void => undefined) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out.stdout += d;
    onStdout();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    out.stderr += d;
  });
  const exited = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      onStdout();
      resolve({ code, stdout: out.stdout, stderr: out.stderr });
    });
  });
  return { child, out, exited };
}

export interface CliProcess {
  /** Resolves with the first stdout line matching `pattern` (rejects if the process exits first). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends a signal and resolves with the exit code and everything printed. */
  signal(sig: NodeJS.Signals): Promise<CliRun>;
  /** Kills it if still running; for afterAll. */
  kill(): void;
}

/** Starts a long-running `flyprobe` role (collector, probe, echo) with only the given environment. */
export function startCli(args: string[], env: Record<string, string>): CliProcess {
  const listeners = new Set<() => void>();
  const { child, out, exited } = spawnCli(args, env, () => {
    for (const l of [...listeners]) l();
  });
  return {
    waitForLine(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const line = out.stdout.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) {
            finish();
            resolve(line.match(pattern) as RegExpMatchArray);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            finish();
            reject(
              new Error(`flyprobe ${args[0]} exited (${child.exitCode ?? child.signalCode}): ${out.stderr}`),
            );
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(
              `no line matching ${pattern} within ${timeoutMs} ms; stdout: ${out.stdout} stderr: ${out.stderr}`,
            ),
          );
        }, timeoutMs);
        const finish = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async signal(sig) {
      child.kill(sig);
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
