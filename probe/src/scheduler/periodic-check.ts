import type { LimitFunction } from 'p-limit';
import type { CheckOutput } from '../checks/core/check.ts';
import { runtimeOutput } from './outputs.ts';
import type { PlannedCheck } from './plan.ts';
import type { CheckRunner } from './runner.ts';

export interface PeriodicDeps {
  limit: LimitFunction;
  run: NonNullable<CheckRunner['run']>;
  emit(output: CheckOutput): void;
  missed(planned: PlannedCheck): void;
  /** How late (ms) the run timer fired: a free event-loop lag sample for self-health. */
  late?(ms: number): void;
  random: () => number;
}

/** Share of the interval each run may move early or late, so checks do not fire in lockstep. */
export const INTERVAL_JITTER = 0.1;
/** How long past its timeout a check that ignores its AbortSignal may hold a concurrency slot. */
const HARD_TIMEOUT_GRACE_MS = 1_000;

/**
 * One check on its own jittered schedule. A run that is still going (or still queued for a
 * concurrency slot) when the next one is due makes that next one a missed run, never an overlap.
 */
export class PeriodicCheck {
  private timer: NodeJS.Timeout | undefined;
  private nextAt = 0;
  private inflight: Promise<void> | undefined;
  /** The run in flight's controller: aborted at its timeout, or by stop() after the grace. */
  private current: AbortController | undefined;
  private stopped = false;
  private discardOutputs = false;

  constructor(
    readonly planned: PlannedCheck,
    private readonly deps: PeriodicDeps,
  ) {}

  get running(): boolean {
    return this.inflight !== undefined;
  }

  /** The first run lands uniformly within one interval, spreading checks that start together. */
  start(): number {
    const firstDelay = this.deps.random() * this.planned.intervalMs;
    this.nextAt = performance.now() + firstDelay;
    this.arm();
    return firstDelay;
  }

  /**
   * Stops scheduling. The run in flight may finish (its result is kept) until `graceMs`; after that
   * it is aborted and its output discarded (a shutdown is not a target failure).
   */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const running = this.inflight;
    if (!running) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    const settled = await Promise.race([running.then(() => 'done' as const), late]);
    clearTimeout(timer);
    if (settled === 'late') {
      this.discardOutputs = true;
      this.current?.abort(new Error('probe stopping'));
    }
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.fire(), Math.max(0, this.nextAt - performance.now()));
  }

  private fire(): void {
    this.deps.late?.(performance.now() - this.nextAt);
    const interval = this.planned.intervalMs;
    const jitter = (this.deps.random() * 2 - 1) * INTERVAL_JITTER * interval;
    // After a stall (event loop blocked, machine suspended) skip ahead rather than firing a burst.
    this.nextAt = Math.max(
      this.nextAt + interval + jitter,
      performance.now() + interval * (1 - INTERVAL_JITTER),
    );
    this.arm();
    if (this.inflight) {
      this.deps.missed(this.planned);
      return;
    }
    const run = this.deps.limit(() => this.runOnce());
    this.inflight = run.finally(() => {
      if (this.inflight === tracked) this.inflight = undefined;
    });
    const tracked = this.inflight;
  }

  private async runOnce(): Promise<void> {
    if (this.stopped) return;
    const { spec } = this.planned;
    const startedAt = Date.now();
    const t0 = performance.now();
    // One controller and one plain timer per run (cheaper than AbortSignal.any + AbortSignal.timeout): at the
    // time limit it aborts, then re-arms for the grace a check that ignores its signal gets.
    const controller = new AbortController();
    this.current = controller;
    let hung: (v: 'hung') => void = () => undefined;
    const hardTimeout = new Promise<'hung'>((resolve) => {
      hung = resolve;
    });
    let timer = setTimeout(() => {
      controller.abort(new DOMException('check timed out', 'TimeoutError'));
      timer = setTimeout(() => hung('hung'), HARD_TIMEOUT_GRACE_MS);
    }, spec.timeoutMs);
    const run = this.deps
      .run(spec, controller.signal)
      .catch((err: unknown) =>
        runtimeOutput(spec, startedAt, 'error', `check threw: ${describe(err)}`, performance.now() - t0),
      );
    const first = await Promise.race([run, hardTimeout]);
    clearTimeout(timer);
    if (first === 'hung') {
      // Free the concurrency slot; the check stays "running" (no overlap) until it really settles.
      this.emit(
        runtimeOutput(spec, startedAt, 'timeout', 'check ignored its time limit', performance.now() - t0),
      );
      this.inflight = run
        .then(() => undefined)
        .finally(() => {
          this.inflight = undefined;
        });
      return;
    }
    this.emit(first);
  }

  private emit(output: CheckOutput): void {
    if (!this.discardOutputs) this.deps.emit(output);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
