import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@flyprobe/shared';
import type { CheckOutput } from '../checks/core/check.ts';
import { fullJitterDelay } from '../reporter/backoff.ts';
import { runtimeOutput } from './outputs.ts';
import type { PlannedStream } from './plan.ts';
import type { CheckRunner } from './runner.ts';

export interface StreamDeps {
  hold: NonNullable<CheckRunner['hold']>;
  emit(output: CheckOutput): void;
  reopened(planned: PlannedStream): void;
  log: Logger;
}

/** A stream that lived this long counts as healthy: the reopen backoff starts over. */
const HEALTHY_LIFETIME_MS = 30_000;
const REOPEN_BASE_MS = 1_000;
const REOPEN_MAX_MS = 60_000;

/**
 * Keeps one long-lived stream open: reopens it when it ends (at once after a planned lifetime
 * rotation, with full-jitter backoff after failures) until stopped.
 */
export class StreamHolder {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  open = false;

  constructor(
    readonly planned: PlannedStream,
    private readonly deps: StreamDeps,
  ) {}

  start(): void {
    this.loop ??= this.hold();
  }

  /** Cancels the stream (its check emits the end result) and waits up to `graceMs` for it to end. */
  async stop(graceMs: number): Promise<void> {
    this.stopping.abort(new Error('probe stopping'));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([this.loop, late]);
    clearTimeout(timer);
  }

  private async hold(): Promise<void> {
    let failures = 0;
    for (let opened = 0; !this.stopping.signal.aborted; opened++) {
      if (opened > 0) this.deps.reopened(this.planned);
      const rotate = new AbortController();
      const rotateTimer = setTimeout(
        () => rotate.abort(new Error('stream lifetime reached')),
        this.planned.maxLifetimeMs,
      );
      const t0 = performance.now();
      const startedAt = Date.now();
      this.open = true;
      try {
        await this.deps.hold(
          this.planned.spec,
          this.deps.emit,
          AbortSignal.any([this.stopping.signal, rotate.signal]),
        );
      } catch (err) {
        // StreamCheck.hold should not throw; record it as a failed stream rather than losing it.
        const message = `stream check threw: ${err instanceof Error ? err.message : String(err)}`;
        this.deps.emit(runtimeOutput(this.planned.spec, startedAt, 'error', message, performance.now() - t0));
        this.deps.log('warn', message);
      } finally {
        this.open = false;
        clearTimeout(rotateTimer);
      }
      if (this.stopping.signal.aborted) return;
      const rotated = rotate.signal.aborted;
      failures = rotated || performance.now() - t0 >= HEALTHY_LIFETIME_MS ? 0 : failures + 1;
      if (failures === 0) continue;
      // Stopping cuts the backoff short: its abort rejects the sleep.
      const backoffMs = REOPEN_BASE_MS / 4 + fullJitterDelay(failures - 1, REOPEN_BASE_MS, REOPEN_MAX_MS);
      await sleep(backoffMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
    }
  }
}
