import { columnRegion, type RegionCode, regionRttFloorMs } from '@flyprobe/shared';
import type { StoredResult } from '../../store/store.ts';
import { staleFor } from '../core/config.ts';
import { entry } from '../core/keyed.ts';
import { type SeriesLabels, seriesFindingLabels, seriesKey, seriesLabels } from '../core/result.ts';
import {
  liveEntries,
  median,
  Ring,
  round1,
  sortedCopy,
  sortedMedian,
  sortedQuantile,
} from '../core/window.ts';
import type { DetectionContext, Detector, Finding } from '../types.ts';
import type { LatencyConfig } from './index.ts';

interface ClosedWindow {
  from: number;
  to: number;
  q: number;
  /** The window's median, and its `floorQuantile` (compared with the fibre floor). */
  mid: number;
  floorQ: number;
  breach: boolean;
  /** Above the thresholds scaled down by clearFactor: keeps an open alert. */
  elevated: boolean;
  baseline: number | undefined;
  sampleIds: number[];
}

interface LatencyCell extends SeriesLabels {
  toRegion: RegionCode;
  floorMs: number | undefined;
  /** The open window's latencies and result ids, `count` of them: filled in place, no array per window. */
  values: Float64Array;
  ids: Float64Array;
  count: number;
  firstAt: number;
  baseline: Ring<{ q: number; mid: number }>;
  recent: Ring<ClosedWindow>;
  consecutive: number;
  /** Consecutive windows below the clear thresholds. */
  calm: number;
  lastAt: number;
}

/**
 * Latency inflation per matrix cell: the configured quantile of each tumbling window of samples against the
 * cell's own baseline (earlier normal windows) and against the fibre RTT floor, sustained over `fireWindows`
 * consecutive windows before firing. Samples from degraded probes never enter.
 */
export class LatencyDetector implements Detector<'latency'> {
  readonly rule = 'latency' as const;
  private readonly cells = new Map<string, LatencyCell>();

  constructor(
    private readonly config: LatencyConfig,
    private readonly ctx: DetectionContext,
  ) {}

  observe(r: StoredResult): void {
    if (r.outcome !== 'ok' || r.latencyMs === undefined || r.stream) return;
    const toRegion = columnRegion(r);
    if (!toRegion || !this.ctx.trustworthy(r)) return;
    const k = seriesKey(r, toRegion);
    // get first: the factory closure is built only for a new key, not per result.
    const cell =
      this.cells.get(k) ??
      entry(this.cells, k, () => ({
        ...seriesLabels(r),
        toRegion,
        floorMs: regionRttFloorMs(r.probeRegion, toRegion),
        values: new Float64Array(this.config.windowSamples),
        ids: new Float64Array(this.config.windowSamples),
        count: 0,
        firstAt: r.startedAt,
        baseline: new Ring<{ q: number; mid: number }>(this.config.baselineWindows),
        recent: new Ring<ClosedWindow>(Math.max(this.config.fireWindows, 3)),
        consecutive: 0,
        calm: 0,
        lastAt: 0,
      }));
    if (cell.count === 0) cell.firstAt = r.startedAt;
    cell.values[cell.count] = r.latencyMs;
    cell.ids[cell.count] = r.id;
    cell.count++;
    cell.lastAt = Math.max(cell.lastAt, r.startedAt);
    if (cell.count >= this.config.windowSamples) this.close(cell);
  }

  private close(cell: LatencyCell): void {
    const c = this.config;
    // One sort for the window's three statistics (read before anything else sorts into the shared buffer).
    const sorted = sortedCopy(cell.values.subarray(0, cell.count));
    const q = sortedQuantile(sorted, c.quantile) as number;
    const mid = sortedMedian(sorted) as number;
    const floorQ = sortedQuantile(sorted, c.floorQuantile) as number;
    const earlier = cell.baseline.toArray();
    const baseline = earlier.length >= c.minBaselineWindows ? median(earlier.map((w) => w.q)) : undefined;
    const baselineMid =
      earlier.length >= c.minBaselineWindows ? median(earlier.map((w) => w.mid)) : undefined;
    const floor = cell.floorMs === undefined ? undefined : Math.max(cell.floorMs, c.floorMinMs);
    const exceeds = (factor: number) => {
      const overBase =
        baseline !== undefined &&
        baselineMid !== undefined &&
        q > baseline * (1 + (c.baselineRatio - 1) * factor) &&
        q - baseline > c.baselineMinDeltaMs * factor &&
        mid - baselineMid > (c.baselineMinDeltaMs / 2) * factor;
      const overFloor =
        floor !== undefined &&
        floorQ > floor * (1 + (c.floorRatio - 1) * factor) &&
        floorQ - floor > c.floorMinExcessMs * factor;
      return overBase || overFloor;
    };
    const breach = exceeds(1);
    const elevated = breach || exceeds(c.clearFactor);
    cell.consecutive = breach ? cell.consecutive + 1 : 0;
    cell.calm = elevated ? 0 : cell.calm + 1;
    // Elevated windows stay out of the baseline, or a long fault would become the new normal.
    if (!elevated) cell.baseline.push({ q, mid });
    cell.recent.push({
      from: cell.firstAt,
      to: cell.lastAt,
      q,
      mid,
      floorQ,
      breach,
      elevated,
      baseline,
      sampleIds: Array.from(cell.ids.subarray(Math.max(0, cell.count - 10), cell.count)),
    });
    cell.count = 0;
  }

  evaluate(now: number): Finding<'latency'>[] {
    const findings: Finding<'latency'>[] = [];
    for (const cell of liveEntries(this.cells, now, staleFor(this.config, this.ctx))) {
      const last = cell.recent.last();
      if (!last || cell.calm >= this.config.clearWindows) continue;
      const level = cell.consecutive >= this.config.fireWindows ? 'fire' : 'hold';
      findings.push(this.finding(cell, level, last));
    }
    return findings;
  }

  private finding(cell: LatencyCell, level: 'fire' | 'hold', last: ClosedWindow): Finding<'latency'> {
    const windows = cell.recent.toArray();
    const pct = Math.round(this.config.quantile * 100);
    const qs = windows.map((w) => round1(w.q)).join(', ');
    const floor = cell.floorMs;
    const inflation = floor !== undefined && floor > 1 ? round1(last.floorQ / floor) : null;
    const against =
      last.baseline !== undefined ? `baseline p${pct} ${round1(last.baseline)} ms` : 'no baseline yet';
    return {
      rule: this.rule,
      labels: { ...seriesFindingLabels(cell), region: cell.toRegion },
      level,
      severity: this.config.severity,
      summary:
        `${cell.target}: ${cell.path} ${cell.protocol} latency ${cell.probeRegion}->${cell.toRegion} p${pct} is ` +
        `${round1(last.q)} ms over the last ${cell.consecutive || 1} window(s) of ${this.config.windowSamples} samples ` +
        `(${against}; median ${round1(last.mid)} ms, fibre floor ${floor === undefined ? 'unknown' : `${round1(floor)} ms`}` +
        `${inflation ? `, p${Math.round(this.config.floorQuantile * 100)} ${inflation}x the floor` : ''}); ` +
        `recent window p${pct}s: ${qs} ms`,
      evidence: {
        values: {
          quantile: this.config.quantile,
          value_ms: round1(last.q),
          median_ms: round1(last.mid),
          baseline_ms: last.baseline === undefined ? null : round1(last.baseline),
          floor_ms: floor === undefined ? null : round1(floor),
          inflation,
          consecutive_windows: cell.consecutive,
          window_samples: this.config.windowSamples,
        },
        window: {
          from: windows[0]?.from ?? last.from,
          to: last.to,
          samples: windows.length * this.config.windowSamples,
        },
        sampleIds: windows.flatMap((w) => w.sampleIds).slice(-20),
      },
    };
  }
}
