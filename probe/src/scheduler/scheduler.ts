import type { Logger, Protocol } from '@flyprobe/shared';
import pLimit, { type LimitFunction } from 'p-limit';
import type { CheckOutput } from '../checks/core/check.ts';
import { PeriodicCheck } from './periodic-check.ts';
import type { CheckPlan, PlannedCheck } from './plan.ts';
import type { CheckRunner } from './runner.ts';
import { StreamHolder } from './stream-holder.ts';

export interface SchedulerOptions {
  /** One runner per protocol (the agent passes checks/index.ts CHECKS). */
  checks: readonly CheckRunner[];
  /** Global cap on checks running at once (streams are not counted: they are mostly idle). */
  concurrency: number;
  emit(output: CheckOutput): void;
  onMissedRun?(planned: PlannedCheck): void;
  onStreamReopen?(): void;
  /** How late (ms) each run timer fired (event-loop lag, for self-health). */
  onTimerLag?(ms: number): void;
  log?: Logger;
  random?: () => number;
}

export interface ApplyResult {
  added: number;
  removed: number;
  kept: number;
}

/**
 * Runs the plan: one jittered PeriodicCheck per planned check under a shared concurrency limit,
 * one StreamHolder per planned stream. apply() reconciles a new plan live: unchanged checks keep
 * their schedule, changed ones restart, removed ones stop (their run in flight still reports).
 */
export class Scheduler {
  private readonly periodic = new Map<string, PeriodicCheck>();
  private readonly streams = new Map<string, StreamHolder>();
  private readonly limit: LimitFunction;
  private readonly random: () => number;
  private missed = 0;
  private stopped = false;
  private readonly warnedMissing = new Set<string>();
  private readonly runners: ReadonlyMap<Protocol, CheckRunner>;

  constructor(private readonly opts: SchedulerOptions) {
    this.limit = pLimit(opts.concurrency);
    this.random = opts.random ?? Math.random;
    this.runners = new Map(opts.checks.map((c) => [c.protocol, c]));
  }

  get missedRuns(): number {
    return this.missed;
  }

  get scheduledChecks(): number {
    return this.periodic.size;
  }

  get openStreams(): number {
    let n = 0;
    for (const s of this.streams.values()) if (s.open) n++;
    return n;
  }

  /** Checks waiting for a concurrency slot right now. */
  get queued(): number {
    return this.limit.pendingCount;
  }

  apply(plan: CheckPlan): ApplyResult {
    const result: ApplyResult = { added: 0, removed: 0, kept: 0 };
    if (this.stopped) return result;
    reconcile(
      this.periodic,
      plan.checks,
      result,
      (p) => p.spec.timeoutMs + 1_000,
      (planned) => {
        const check = this.runners.get(planned.spec.protocol);
        if (!check?.run) return this.warnMissing(planned.spec.protocol);
        return new PeriodicCheck(planned, {
          limit: this.limit,
          run: check.run.bind(check),
          emit: (o) => this.opts.emit(o),
          missed: (p) => {
            this.missed++;
            this.opts.onMissedRun?.(p);
          },
          late: (ms) => this.opts.onTimerLag?.(ms),
          random: this.random,
        });
      },
    );
    reconcile(
      this.streams,
      plan.streams,
      result,
      (p) => p.spec.timeoutMs,
      (planned) => {
        const check = this.runners.get(planned.spec.protocol);
        if (!check?.hold) return this.warnMissing(`${planned.spec.protocol} stream`);
        return new StreamHolder(planned, {
          hold: check.hold.bind(check),
          emit: (o) => this.opts.emit(o),
          reopened: () => this.opts.onStreamReopen?.(),
          log: (level, m) => this.opts.log?.(level, m),
        });
      },
    );
    return result;
  }

  /** Stops every schedule and stream; runs in flight get `graceMs` to finish and report. */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    const all: Promise<void>[] = [];
    for (const p of this.periodic.values()) all.push(p.stop(graceMs));
    for (const s of this.streams.values()) all.push(s.stop(graceMs));
    this.periodic.clear();
    this.streams.clear();
    await Promise.all(all);
  }

  private warnMissing(what: string): undefined {
    if (this.warnedMissing.has(what)) return;
    this.warnedMissing.add(what);
    this.opts.log?.('warn', `no ${what} check implementation: its checks are skipped`);
  }
}

/**
 * Brings `running` to `wanted`: an entry whose key and fingerprint are unchanged keeps running; a changed
 * or removed one stops (with `stopGrace`), a new or changed one is created and started (unless `create`
 * has no implementation for it).
 */
function reconcile<P extends { key: string; fingerprint: string }, R extends Runnable<P>>(
  running: Map<string, R>,
  wanted: readonly P[],
  result: ApplyResult,
  stopGrace: (planned: P) => number,
  create: (planned: P) => R | undefined,
): void {
  const byKey = new Map(wanted.map((p) => [p.key, p]));
  for (const [key, entry] of running) {
    if (byKey.get(key)?.fingerprint === entry.planned.fingerprint) continue;
    void entry.stop(stopGrace(entry.planned));
    running.delete(key);
    result.removed++;
  }
  for (const planned of wanted) {
    if (running.has(planned.key)) {
      result.kept++;
      continue;
    }
    const entry = create(planned);
    if (!entry) continue;
    running.set(planned.key, entry);
    entry.start();
    result.added++;
  }
}

interface Runnable<P> {
  readonly planned: P;
  start(): unknown;
  stop(graceMs: number): Promise<void>;
}
