import type { Phases } from '@flyprobe/shared';
import type { LimitedPhase } from './check.ts';
import { CheckFailure, type FailedPhase } from './failure.ts';

/** Monotonic milliseconds (sub-ms resolution). */
export const now = (): number => performance.now();

/** Durations are reported with microsecond resolution. */
export const elapsed = (from: number, to: number = now()): number => Math.round((to - from) * 1000) / 1000;

export interface TimelineOptions {
  totalMs: number;
  limits?: Partial<Record<LimitedPhase, number>>;
  /** Outside cancellation (scheduler stop). */
  signal?: AbortSignal;
}

/**
 * The clock and deadlines of one measurement: the current phase, the phases measured so far,
 * and an AbortSignal that fires with a `timeout` CheckFailure naming the phase that ran out of time.
 */
export class Timeline {
  readonly t0 = now();
  readonly startedAt = Date.now();
  readonly phases: Phases = {};
  phase: FailedPhase = 'connect';
  readonly #controller = new AbortController();
  readonly #limits: Partial<Record<LimitedPhase, number>>;
  readonly #totalTimer: NodeJS.Timeout;
  #phaseTimer: NodeJS.Timeout | undefined;
  readonly #onOuterAbort = (): void => this.abort(new CheckFailure('error', 'cancelled', this.phase));
  readonly #outer: AbortSignal | undefined;

  constructor(opts: TimelineOptions) {
    this.#limits = opts.limits ?? {};
    this.#totalTimer = setTimeout(
      () =>
        this.abort(
          new CheckFailure('timeout', `timed out after ${opts.totalMs} ms in ${this.phase}`, this.phase),
        ),
      opts.totalMs,
    );
    this.#outer = opts.signal;
    if (opts.signal?.aborted) this.#onOuterAbort();
    else opts.signal?.addEventListener('abort', this.#onOuterAbort, { once: true });
  }

  /** Aborted on a time limit, outside cancellation or `abort()`; the reason is a CheckFailure or the error. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
  }

  /** Enters a phase and arms its limit, if it has one. */
  enter(phase: FailedPhase): void {
    this.phase = phase;
    clearTimeout(this.#phaseTimer);
    this.#phaseTimer = undefined;
    const limit = this.#limits[phase as LimitedPhase];
    if (limit !== undefined) {
      this.#phaseTimer = setTimeout(
        () => this.abort(new CheckFailure('timeout', `${phase} timed out after ${limit} ms`, phase)),
        limit,
      );
    }
  }

  record(key: keyof Phases, from: number, to: number = now()): void {
    this.phases[key] = elapsed(from, to);
  }

  /** Stops every timer and sets `total`. */
  finish(): void {
    clearTimeout(this.#totalTimer);
    clearTimeout(this.#phaseTimer);
    this.#outer?.removeEventListener('abort', this.#onOuterAbort);
    this.phases.total = elapsed(this.t0);
  }

  /** Rejects when the timeline aborts; for racing a promise against the deadlines. */
  aborted(): Promise<never> {
    const signal = this.#controller.signal;
    return new Promise((_resolve, reject) => {
      if (signal.aborted) reject(signal.reason);
      else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }
}
