import { type ELDHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
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

/** Minimum samples in the open window before its p99 alone may flag the probe degraded. */
const MIN_LIVE_SAMPLES = 5;
/** The histogram records the whole timer interval, resolution included; lag is what exceeds it. */
const RESOLUTION_MS = 10;

/**
 * The probe's own health in fixed windows: event-loop delay percentiles (histogram reset per window),
 * cgroup CPU throttling deltas, and a degraded verdict that results measured meanwhile carry.
 */
export class SelfHealth {
  private readonly histogram: ELDHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private readonly startedAt = performance.now();
  private readonly cpuPaths: readonly string[];
  private readonly cpuAtStart: CpuThrottle | undefined;
  private cpuAtWindowStart: CpuThrottle | undefined;
  private last: HealthWindow | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly opts: SelfHealthOptions,
    private readonly counters: HealthCounters,
  ) {
    this.cpuPaths = opts.cpuStatPaths ?? CGROUP_CPU_STAT_PATHS;
    this.cpuAtStart = readCpuThrottle(this.cpuPaths);
    this.cpuAtWindowStart = this.cpuAtStart;
  }

  start(): void {
    this.histogram.enable();
    this.timer = setInterval(() => this.closeWindow(), this.opts.windowMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.histogram.disable();
  }

  /** Ends the current window: computes its figures, resets the histogram. */
  closeWindow(): HealthWindow {
    const lagMs = this.lagOfOpenWindow();
    this.histogram.reset();
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

  /** True when the last window was degraded or the open one already is. */
  isDegraded(): boolean {
    if (this.last?.degraded) return true;
    if (this.histogram.count < MIN_LIVE_SAMPLES) return false;
    return lagMs(this.histogram.percentile(99)) > this.opts.degradedLagMs;
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

function lagMs(intervalNs: number): number {
  return round(Math.max(0, intervalNs / 1e6 - RESOLUTION_MS), 3);
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
