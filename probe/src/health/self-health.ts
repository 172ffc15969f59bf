import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import type { Heartbeat } from '@flyprobe/shared';
import { CGROUP_CPU_STAT_PATHS, type CpuThrottle, readCpuThrottle, throttleDelta } from './cgroup.ts';

export interface SelfHealthOptions {
  windowMs: number;
  degradedLagMs: number;
  /** Share of CPU periods throttled within one window that marks the probe degraded. */
  degradedThrottleRatio: number;
  cpuStatPaths?: readonly string[];
}

/** Counters owned by the reporter and scheduler that the heartbeat carries. */
export interface HealthCounters {
  bufferDepth(): number;
  bufferBytes(): number;
  dropped(): Heartbeat['dropped'];
  missedRuns(): number;
}

export interface HealthWindow {
  endedAt: number;
  lagMs: { p50: number; p99: number; max: number };
  /** Throttling within this window, when cgroup stats are readable. */
  throttle?: CpuThrottle;
  degraded: boolean;
  degradedReason?: string;
}

/**
 * Period of the lag sampler's own timer. Coarse on purpose: the scheduler reports the lateness of every
 * check timer too (recordLag), so a busy probe is sampled at its run rate without 100 wake-ups a second.
 * Fine enough that an idle probe's 5 s window still holds ~100 samples: its p99 then needs two late ticks,
 * so one hiccup degrades only the rest of its own window, not the next one as well.
 */
const SAMPLE_MS = 50;

/**
 * The probe's own health in fixed windows: event-loop lag percentiles (how late timers fire: a coarse
 * sampler's plus the scheduler's; histogram reset per window), cgroup CPU throttling deltas, and a
 * degraded verdict that results measured meanwhile carry.
 */
export class SelfHealth {
  /** Lateness in nanoseconds (1 is the histogram's floor: on time). */
  private readonly histogram: RecordableHistogram = createHistogram();
  /** Largest lateness in the open window, ms: one stall past the threshold degrades it at once. */
  private openMaxMs = 0;
  private readonly startedAt = performance.now();
  private readonly cpuPaths: readonly string[];
  private readonly cpuAtStart: CpuThrottle | undefined;
  private cpuAtWindowStart: CpuThrottle | undefined;
  private last: HealthWindow | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sampler: NodeJS.Timeout | undefined;

  constructor(
    private readonly opts: SelfHealthOptions,
    private readonly counters: HealthCounters,
  ) {
    this.cpuPaths = opts.cpuStatPaths ?? CGROUP_CPU_STAT_PATHS;
    this.cpuAtStart = readCpuThrottle(this.cpuPaths);
    this.cpuAtWindowStart = this.cpuAtStart;
  }

  start(): void {
    this.timer = setInterval(() => this.closeWindow(), this.opts.windowMs);
    this.timer.unref();
    let dueAt = performance.now() + SAMPLE_MS;
    this.sampler = setInterval(() => {
      const now = performance.now();
      this.recordLag(now - dueAt);
      // Node re-arms an interval from when its callback runs.
      dueAt = now + SAMPLE_MS;
    }, SAMPLE_MS);
    this.sampler.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.sampler) clearInterval(this.sampler);
  }

  /** One observation of how late (ms) a timer or callback ran after it was due. */
  recordLag(lateMs: number): void {
    const ms = lateMs > 0 ? lateMs : 0;
    if (ms > this.openMaxMs) this.openMaxMs = ms;
    this.histogram.record(Math.max(1, Math.round(ms * 1e6)));
  }

  /** Ends the current window: computes its figures, resets the histogram. */
  closeWindow(): HealthWindow {
    const lagMs = this.lagOfOpenWindow();
    this.histogram.reset();
    this.openMaxMs = 0;
    const cpuNow = readCpuThrottle(this.cpuPaths);
    const throttle =
      cpuNow && this.cpuAtWindowStart ? throttleDelta(cpuNow, this.cpuAtWindowStart) : undefined;
    this.cpuAtWindowStart = cpuNow;
    const reasons: string[] = [];
    if (lagMs.p99 > this.opts.degradedLagMs) {
      reasons.push(`event-loop p99 ${lagMs.p99.toFixed(1)} ms > ${this.opts.degradedLagMs} ms`);
    }
    if (throttle && throttle.nrPeriods > 0) {
      const ratio = throttle.nrThrottled / throttle.nrPeriods;
      if (ratio > this.opts.degradedThrottleRatio) {
        reasons.push(`cpu throttled in ${(ratio * 100).toFixed(0)}% of periods`);
      }
    }
    this.last = {
      endedAt: Date.now(),
      lagMs,
      throttle,
      degraded: reasons.length > 0,
      degradedReason: reasons.length > 0 ? reasons.join('; ') : undefined,
    };
    return this.last;
  }

  /**
   * True when the last window was degraded or the open one already saw a lag past the threshold (per result:
   * a plain comparison, no histogram query).
   */
  isDegraded(): boolean {
    return this.last?.degraded === true || this.openMaxMs > this.opts.degradedLagMs;
  }

  lastWindow(): HealthWindow | undefined {
    return this.last;
  }

  heartbeat(): Heartbeat {
    const mem = process.memoryUsage();
    const lag = this.last?.lagMs ?? this.lagOfOpenWindow();
    const cpuNow = this.cpuAtStart ? readCpuThrottle(this.cpuPaths) : undefined;
    const degraded = this.isDegraded();
    return {
      at: Date.now(),
      uptimeS: round((performance.now() - this.startedAt) / 1000, 3),
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      eventLoopDelayMs: lag,
      cpuThrottle: cpuNow && this.cpuAtStart ? throttleDelta(cpuNow, this.cpuAtStart) : undefined,
      bufferDepth: this.counters.bufferDepth(),
      bufferBytes: this.counters.bufferBytes(),
      dropped: this.counters.dropped(),
      missedRuns: this.counters.missedRuns(),
      degraded,
      degradedReason: degraded
        ? (this.last?.degradedReason ?? 'event-loop delay in the current window')
        : undefined,
    };
  }

  private lagOfOpenWindow(): HealthWindow['lagMs'] {
    const h = this.histogram;
    if (h.count === 0) return { p50: 0, p99: 0, max: 0 };
    return { p50: lagMs(h.percentile(50)), p99: lagMs(h.percentile(99)), max: lagMs(h.max) };
  }
}

function lagMs(lateNs: number): number {
  return round(lateNs <= 1 ? 0 : lateNs / 1e6, 3);
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
