import type { Io } from '../command.ts';
import { errorMessage } from '../errors.ts';

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Keeps a started role running until SIGTERM or SIGINT, then stops it (flushing whatever it buffers)
 * and resolves to the exit code: 0 after a clean stop, 1 when stopping failed.
 * A second signal while stopping gives up on the flush and exits 1 at once.
 */
export function runUntilSignal(name: string, stop: () => Promise<void>, io: Io): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        io.stderr.write(`flyprobe ${name}: ${signal} again, exiting without waiting\n`);
        cleanup();
        resolve(1);
        return;
      }
      stopping = true;
      io.stderr.write(`flyprobe ${name}: ${signal}, stopping\n`);
      stop().then(
        () => {
          cleanup();
          resolve(0);
        },
        (err: unknown) => {
          io.stderr.write(`flyprobe ${name}: stop failed: ${errorMessage(err)}\n`);
          cleanup();
          resolve(1);
        },
      );
    };
    const cleanup = (): void => {
      for (const s of STOP_SIGNALS) process.off(s, onSignal);
    };
    for (const s of STOP_SIGNALS) process.on(s, onSignal);
  });
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
