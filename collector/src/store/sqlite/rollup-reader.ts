import {
  type MatrixCell,
  type MatrixMetric,
  type RegionCode,
  regionRttFloorMs,
  type SeriesPoint,
} from '@flyprobe/shared';
import type { Database, Statement } from 'better-sqlite3';
import type { CellQuery } from '../store.ts';
import { rollupWindow } from '../window.ts';
import { BinCounts } from './bin-counts.ts';
import { addBlockCells, type CellTotals } from './rollup-block.ts';
import { ROLLUP_TIERS, type RollupTier } from './rollup-sample.ts';
import { acceptBin, newSketch } from './sketch.ts';

const QUANTILES: Partial<Record<MatrixMetric, number>> = { p50: 0.5, p95: 0.95, p99: 0.99 };
const MAX_SERIES_POINTS = 10_000;

export interface SeriesQuery extends CellQuery {
  fromRegion: RegionCode;
  toRegion: RegionCode;
  stepMs: number;
}

/**
 * Reads matrices and series from rollup blocks only, so their cost depends on buckets x cells, never on raw
 * volume. Latency quantiles come from merging the cells' sketch bins into one library DDSketch per output
 * cell; loss and reset_rate from exact counters.
 */
export class RollupReader {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Database) {}

  matrix(q: CellQuery): MatrixCell[] {
    const w = rollupWindow(q.from, q.to);
    const tier: RollupTier = w.stepMs === ROLLUP_TIERS.hour.ms ? 'hour' : 'minute';
    const withSketch = QUANTILES[q.metric] !== undefined;
    // probe region -> column -> totals: looked up by the decoded (interned) strings, no key built per cell.
    const cells = new Map<string, Map<string, CellTotals>>();
    const pick = (probeRegion: string, column: string) => {
      let row = cells.get(probeRegion);
      if (!row) {
        row = new Map();
        cells.set(probeRegion, row);
      }
      let totals = row.get(column);
      if (!totals) {
        totals = emptyTotals(withSketch);
        row.set(column, totals);
      }
      return totals;
    };
    for (const [, data] of this.blocks(tier).iterate(
      q.target,
      q.path,
      q.protocol,
      w.from,
      w.to,
    ) as IterableIterator<[number, Buffer]>) {
      addBlockCells(data, pick);
    }
    const out: MatrixCell[] = [];
    for (const [from, row] of cells) {
      for (const [to, totals] of row) {
        const value = metricValue(q.metric, totals);
        const floorMs = to ? (regionRttFloorMs(from, to) ?? null) : null;
        const inflation =
          isLatency(q.metric) && value !== null && floorMs !== null && floorMs > 1 ? value / floorMs : null;
        out.push({ from, to, value, samples: totals.samples, floorMs, inflation });
      }
    }
    return out.sort((a, b) => (a.from === b.from ? cmp(a.to, b.to) : cmp(a.from, b.from)));
  }

  series(q: SeriesQuery): SeriesPoint[] {
    const step = q.stepMs;
    if (!Number.isInteger(step) || step <= 0 || step % ROLLUP_TIERS.minute.ms !== 0)
      throw new RangeError('stepMs: must be a positive multiple of 60000');
    if (!(q.to > q.from)) throw new RangeError('to: must be after from');
    const start = Math.floor(q.from / step) * step;
    const points = Math.ceil((q.to - start) / step);
    if (points > MAX_SERIES_POINTS)
      throw new RangeError(`stepMs: ${points} points in the window, at most ${MAX_SERIES_POINTS}`);
    const tier: RollupTier = step % ROLLUP_TIERS.hour.ms === 0 ? 'hour' : 'minute';
    const withSketch = QUANTILES[q.metric] !== undefined;
    const buckets = new Map<number, CellTotals>();
    const rows = this.blocks(tier).iterate(q.target, q.path, q.protocol, start, start + points * step);
    for (const [bucket, data] of rows as IterableIterator<[number, Buffer]>) {
      const t = Math.floor(bucket / step) * step;
      addBlockCells(data, (probeRegion, column) => {
        if (probeRegion !== q.fromRegion || column !== q.toRegion) return undefined;
        let totals = buckets.get(t);
        if (!totals) {
          totals = emptyTotals(withSketch);
          buckets.set(t, totals);
        }
        return totals;
      });
    }
    const out: SeriesPoint[] = [];
    for (let i = 0; i < points; i++) {
      const t = start + i * step;
      const totals = buckets.get(t);
      out.push({ t, value: totals ? metricValue(q.metric, totals) : null, samples: totals?.samples ?? 0 });
    }
    return out;
  }

  private blocks(tier: RollupTier): Statement {
    let stmt = this.statements.get(tier);
    if (!stmt) {
      stmt = this.db
        .prepare(
          `SELECT bucket, data FROM ${ROLLUP_TIERS[tier].table}
           WHERE target = ? AND path = ? AND protocol = ? AND bucket >= ? AND bucket < ?`,
        )
        .raw(true);
      this.statements.set(tier, stmt);
    }
    return stmt;
  }
}

function emptyTotals(withSketch: boolean): CellTotals {
  return {
    samples: 0,
    ok: 0,
    reset: 0,
    latCount: 0,
    latSum: 0,
    zeros: 0,
    bins: withSketch ? new BinCounts() : undefined,
  };
}

function quantile(totals: CellTotals, q: number): number {
  const sketch = newSketch();
  if (totals.zeros > 0) sketch.accept(0, totals.zeros);
  totals.bins?.forEach((key, count) => {
    acceptBin(sketch, key, count);
  });
  return sketch.getValueAtQuantile(q);
}

function metricValue(metric: MatrixMetric, agg: CellTotals): number | null {
  const q = QUANTILES[metric];
  if (q !== undefined) return agg.latCount > 0 ? quantile(agg, q) : null;
  if (metric === 'mean') return agg.latCount > 0 ? agg.latSum / agg.latCount : null;
  if (agg.samples === 0) return null;
  return metric === 'loss' ? (agg.samples - agg.ok) / agg.samples : agg.reset / agg.samples;
}

function isLatency(metric: MatrixMetric): boolean {
  return metric !== 'loss' && metric !== 'reset_rate';
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
