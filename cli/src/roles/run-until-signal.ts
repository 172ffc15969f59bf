import type { Io } from '../command.ts';
import { errorMessage } from '../errors.ts';

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Listens for SIGTERM/SIGINT from before a role starts, so a signal that arrives while it is still
 * starting (Fly may stop a Machine at any time) is not lost: the role stops as soon as it is up.
 */
export class StopSignals {
  private readonly first: Promise<NodeJS.Signals>;
  private onFirst: (s: NodeJS.Signals) => void = () => {};
  private onRepeat: (s: NodeJS.Signals) => void = () => {};
  private received = 0;

  constructor() {
    this.first = new Promise((resolve) => {
      this.onFirst = resolve;
    });
    for (const s of STOP_SIGNALS) process.on(s, this.handle);
  }

  private readonly handle = (signal: NodeJS.Signals): void => {
    this.received++;
    if (this.received === 1) this.onFirst(signal);
    else this.onRepeat(signal);
  };

  dispose(): void {
    for (const s of STOP_SIGNALS) process.off(s, this.handle);
  }

  /**
   * Waits for the first signal, then runs `stop` (which flushes what the role buffers) and resolves
   * to the exit code: 0 after a clean stop, 1 when stopping failed or a second signal cut it short.
   */
  async runUntilStopped(name: string, stop: () => Promise<void>, io: Io): Promise<number> {
    const signal = await this.first;
    io.stderr.write(`flyprobe ${name}: ${signal}, stopping\n`);
    const interrupted = new Promise<number>((resolve) => {
      this.onRepeat = (again) => {
        io.stderr.write(`flyprobe ${name}: ${again} again, exiting without waiting\n`);
        resolve(1);
      };
    });
    const stopped = stop().then(
      () => 0,
      (err: unknown) => {
        io.stderr.write(`flyprobe ${name}: stop failed: ${errorMessage(err)}\n`);
        return 1;
      },
    );
    try {
      return await Promise.race([stopped, interrupted]);
    } finally {
      this.dispose();
    }
  }
}

/** Starts a role with signals already watched; a failed start releases the handlers and rethrows. */
export async function runRole<T>(
  name: string,
  io: Io,
  start: () => Promise<T>,
  describe: (running: T) => string,
  stop: (running: T) => Promise<void>,
): Promise<number> {
  const signals = new StopSignals();
  let running: T;
  try {
    running = await start();
  } catch (err) {
    signals.dispose();
    throw err;
  }
  io.stdout.write(`flyprobe ${name}: ${describe(running)}\n`);
  return signals.runUntilStopped(name, () => stop(running), io);
}

/** Copies flag values over env variables so the role's own settings loader validates them. */
export function envWithOverrides(
  env: NodeJS.ProcessEnv,
  overrides: Record<string, string | undefined>,
): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...env };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}
