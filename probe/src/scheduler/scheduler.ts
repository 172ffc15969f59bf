import type { Protocol } from '@flyprobe/shared';
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
  log?(message: string): void;
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
    if (this.stopped) return { added: 0, removed: 0, kept: 0 };
    const result: ApplyResult = { added: 0, removed: 0, kept: 0 };
    const wanted = new Map(plan.checks.map((p) => [p.key, p]));
    for (const [key, running] of this.periodic) {
      if (wanted.get(key)?.fingerprint === running.planned.fingerprint) continue;
      void running.stop(running.planned.spec.timeoutMs + 1_000);
      this.periodic.delete(key);
      result.removed++;
    }
    for (const planned of plan.checks) {
      if (this.periodic.has(planned.key)) {
        result.kept++;
        continue;
      }
      const check = this.runners.get(planned.spec.protocol);
      if (!check?.run) {
        this.warnMissing(planned.spec.protocol);
        continue;
      }
      const runner = new PeriodicCheck(planned, {
        limit: this.limit,
        run: check.run.bind(check),
        emit: (o) => this.opts.emit(o),
        missed: (p) => {
          this.missed++;
          this.opts.onMissedRun?.(p);
        },
        random: this.random,
      });
      this.periodic.set(planned.key, runner);
      runner.start();
      result.added++;
    }
    const wantedStreams = new Map(plan.streams.map((p) => [p.key, p]));
    for (const [key, holder] of this.streams) {
      if (wantedStreams.get(key)?.fingerprint === holder.planned.fingerprint) continue;
      void holder.stop(holder.planned.spec.timeoutMs);
      this.streams.delete(key);
      result.removed++;
    }
    for (const planned of plan.streams) {
      if (this.streams.has(planned.key)) {
        result.kept++;
        continue;
      }
      const check = this.runners.get(planned.spec.protocol);
      if (!check?.hold) {
        this.warnMissing(`${planned.spec.protocol} stream`);
        continue;
      }
      const holder = new StreamHolder(planned, {
        hold: check.hold.bind(check),
        emit: (o) => this.opts.emit(o),
        reopened: () => this.opts.onStreamReopen?.(),
        log: (m) => this.opts.log?.(m),
      });
      this.streams.set(planned.key, holder);
      holder.start();
      result.added++;
    }
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

  private warnMissing(what: string): void {
    if (this.warnedMissing.has(what)) return;
    this.warnedMissing.add(what);
    this.opts.log?.(`no ${what} check implementation: its checks are skipped`);
  }
}
