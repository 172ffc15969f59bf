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
 * The hot path (every HTTP measurement) uses `onAbort` callbacks; the AbortController behind `signal`
 * is only built for code that asks for it (DNS, gRPC): EventTarget listeners cost several % of the CPU.
 */
export class Timeline {
  readonly t0 = now();
  readonly startedAt = Date.now();
  readonly phases: Phases = {};
  phase: FailedPhase = 'connect';
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  #callbacks: ((reason: unknown) => void)[] = [];
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
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get isAborted(): boolean {
    return this.#aborted;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    for (const cb of callbacks) cb(reason);
    this.#controller?.abort(reason);
  }

  /** Calls `cb` once with the reason when the timeline aborts (at once if it already has). */
  onAbort(cb: (reason: unknown) => void): void {
    if (this.#aborted) cb(this.#reason);
    else this.#callbacks.push(cb);
  }

  /** Enters a phase and arms its limit, if it has one. */
  enter(phase: FailedPhase): void {
    this.phase = phase;
    if (this.#phaseTimer !== undefined) {
      clearTimeout(this.#phaseTimer);
      this.#phaseTimer = undefined;
    }
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

  /** Stops every timer, drops the abort callbacks and sets `total`. */
  finish(): void {
    clearTimeout(this.#totalTimer);
    if (this.#phaseTimer !== undefined) clearTimeout(this.#phaseTimer);
    this.#outer?.removeEventListener('abort', this.#onOuterAbort);
    this.#callbacks = [];
    this.phases.total = elapsed(this.t0);
  }

  /** Rejects when the timeline aborts; for racing a promise against the deadlines. */
  aborted(): Promise<never> {
    return new Promise((_resolve, reject) => this.onAbort(reject));
  }
}
