import type { MatrixCell, MatrixMetric, RegionCode, SeriesPoint } from '@flyprobe/shared';
import type { CellQuery } from '../store.ts';
import { foldCells, type MatrixFolds } from './matrix-folds.ts';
import { MatrixScratch } from './matrix-scratch.ts';
import { addBlockCells, type CellTotals, emptyTotals } from './rollup-block.ts';
import { ROLLUP_TIERS, type RollupTier } from './rollup-sample.ts';
import { binQuantile } from './sketch.ts';
import { rollupWindow } from './window.ts';

const QUANTILES: Partial<Record<MatrixMetric, number>> = { p50: 0.5, p95: 0.95, p99: 0.99 };

/** Whether a metric needs the cells' sketch bins (the others read counters only). */
export function needsSketch(metric: MatrixMetric): boolean {
  return QUANTILES[metric] !== undefined;
}
const MAX_SERIES_POINTS = 10_000;

export interface SeriesQuery extends CellQuery {
  fromRegion: RegionCode;
  toRegion: RegionCode;
  stepMs: number;
}

/** Which rollup rows a read needs: one tier, bucket starts in [from, to). */
export interface BlockRange {
  tier: RollupTier;
  from: number;
  to: number;
}

/** Rollup rows as a dialect reads them: (bucket start, block). Several rows per bucket are summed. */
export type BlockRows = Iterable<readonly [bucket: number, data: Uint8Array]>;

/** The rows a matrix reads (see `rollupWindow`). */
export function matrixRange(q: CellQuery): BlockRange {
  const w = rollupWindow(q.from, q.to);
  return { tier: w.stepMs === ROLLUP_TIERS.hour.ms ? 'hour' : 'minute', from: w.from, to: w.to };
}

/** Where a matrix read may keep and find its fold (see `MatrixFolds`). */
export interface FoldSlot {
  folds: MatrixFolds;
  key: string;
  /** Window start: a fold of another window is not reused. */
  from: number;
}

/**
 * Region x region cells from rollup blocks only, so the cost depends on buckets x cells, never on raw volume.
 * Latency quantiles come from the cells' summed sketch bins as the library sketch of them would answer
 * (`binQuantile`); loss and reset_rate from exact counters; the fibre floor and inflation from the region
 * catalog. With a `slot`, the totals of all blocks but the last are kept, and a later read whose first blocks
 * are byte-identical starts from them: blocks are summed in the order read either way, so the answer is the
 * same to the last bit. `scratch` is the reader's cells reused from read to read (see `MatrixScratch`).
 */
export function matrixFromBlocks(
  metric: MatrixMetric,
  rows: BlockRows,
  slot?: FoldSlot,
  scratch = new MatrixScratch(),
): MatrixCell[] {
  const withSketch = needsSketch(metric);
  const list = Array.isArray(rows) ? (rows as ReadonlyArray<readonly [number, Uint8Array]>) : [...rows];
  scratch.begin(withSketch);
  const fold = slot?.folds.match(slot.key, slot.from, list);
  // Counters copied from the fold, its bins shared as `base` (read, never written); new bins go beside them.
  for (const f of fold?.cells ?? []) {
    const cell = scratch.cell(f.from, f.to);
    cell.samples = f.totals.samples;
    cell.ok = f.totals.ok;
    cell.reset = f.totals.reset;
    cell.latCount = f.totals.latCount;
    cell.latSum = f.totals.latSum;
    cell.zeros = f.totals.zeros;
    cell.base = f.totals.bins;
  }
  const add = (probeRegion: string, column: string, _edge: string, index: number) =>
    scratch.cellAt(probeRegion, column, index);
  const start = fold?.blocks.length ?? 0;
  const kept = Math.max(list.length - 1, 0);
  for (let i = start; i < kept; i++) addBlockCells(list[i]![1], add);
  if (slot && start < kept)
    slot.folds.keep(slot.key, {
      from: slot.from,
      buckets: list.slice(0, kept).map((r) => r[0]),
      blocks: list.slice(0, kept).map((r) => r[1]),
      cells: foldCells(scratch.touched),
    });
  for (let i = Math.max(start, kept); i < list.length; i++) addBlockCells(list[i]![1], add);
  const out: MatrixCell[] = [];
  for (const cell of scratch.touched) {
    const value = metricValue(metric, cell);
    const floorMs = cell.floorMs;
    const inflation =
      isLatency(metric) && value !== null && floorMs !== null && floorMs > 1 ? value / floorMs : null;
    out.push({ from: cell.from, to: cell.to, value, samples: cell.samples, floorMs, inflation });
  }
  return out.sort((a, b) => (a.from === b.from ? cmp(a.to, b.to) : cmp(a.from, b.from)));
}

/** The rows a series reads; throws a RangeError naming the bad field. */
export function seriesRange(q: SeriesQuery): BlockRange {
  const step = q.stepMs;
  if (!Number.isInteger(step) || step <= 0 || step % ROLLUP_TIERS.minute.ms !== 0)
    throw new RangeError('stepMs: must be a positive multiple of 60000');
  if (!(q.to > q.from)) throw new RangeError('to: must be after from');
  const start = Math.floor(q.from / step) * step;
  const points = Math.ceil((q.to - start) / step);
  if (points > MAX_SERIES_POINTS)
    throw new RangeError(`stepMs: ${points} points in the window, at most ${MAX_SERIES_POINTS}`);
  const tier: RollupTier = step % ROLLUP_TIERS.hour.ms === 0 ? 'hour' : 'minute';
  return { tier, from: start, to: start + points * step };
}

/** One cell over time, bucketed by `stepMs`, with empty buckets; `range` is `seriesRange(q)`. */
export function seriesFromBlocks(q: SeriesQuery, range: BlockRange, rows: BlockRows): SeriesPoint[] {
  const step = q.stepMs;
  const withSketch = needsSketch(q.metric);
  const buckets = new Map<number, CellTotals>();
  for (const [bucket, data] of rows) {
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
  for (let t = range.from; t < range.to; t += step) {
    const totals = buckets.get(t);
    out.push({ t, value: totals ? metricValue(q.metric, totals) : null, samples: totals?.samples ?? 0 });
  }
  return out;
}

function metricValue(metric: MatrixMetric, agg: CellTotals): number | null {
  const q = QUANTILES[metric];
  if (q !== undefined) return agg.latCount > 0 ? binQuantile(agg.zeros, agg.bins, q, agg.base) : null;
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
