import type { DDSketch } from '@datadog/sketches-js';
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
import { ROLLUP_TIERS, type RollupTier } from './rollup-sample.ts';
import { mergeEncodedSketch, newSketch } from './sketch.ts';

const QUANTILES: Partial<Record<MatrixMetric, number>> = { p50: 0.5, p95: 0.95, p99: 0.99 };
const MAX_SERIES_POINTS = 10_000;

export interface SeriesQuery extends CellQuery {
  fromRegion: RegionCode;
  toRegion: RegionCode;
  stepMs: number;
}

interface Aggregate {
  samples: number;
  ok: number;
  reset: number;
  latCount: number;
  latSum: number;
  sketch: DDSketch | undefined;
}

type Row = [
  group: string | number,
  samples: number,
  ok: number,
  reset: number,
  latCount: number,
  latSum: number,
  sketch?: Buffer,
];

/**
 * Reads matrices and series from rollups only, so their cost depends on cells x buckets, never on raw volume.
 * Latency quantiles come from merging the rows' DDSketches; loss and reset_rate from exact counters.
 */
export class RollupReader {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Database) {}

  matrix(q: CellQuery): MatrixCell[] {
    const w = rollupWindow(q.from, q.to);
    const tier: RollupTier = w.stepMs === ROLLUP_TIERS.hour.ms ? 'hour' : 'minute';
    const withSketch = QUANTILES[q.metric] !== undefined;
    const stmt = this.statement(tier, 'matrix', withSketch);
    const cells = new Map<string, Aggregate>();
    for (const row of stmt.iterate(q.target, q.path, q.protocol, w.from, w.to) as IterableIterator<Row>) {
      const key = row[0] as string;
      let agg = cells.get(key);
      if (!agg) {
        agg = emptyAggregate(withSketch);
        cells.set(key, agg);
      }
      accumulate(agg, row);
    }
    const out: MatrixCell[] = [];
    for (const [key, agg] of cells) {
      const [from, to] = key.split('\n') as [string, string];
      const value = metricValue(q.metric, agg);
      const floorMs = to ? (regionRttFloorMs(from, to) ?? null) : null;
      const inflation =
        isLatency(q.metric) && value !== null && floorMs !== null && floorMs > 1 ? value / floorMs : null;
      out.push({ from, to, value, samples: agg.samples, floorMs, inflation });
    }
    return out.sort((a, b) => (a.from === b.from ? cmp(a.to, b.to) : cmp(a.from, b.from)));
  }

  series(q: SeriesQuery): SeriesPoint[] {
    const step = q.stepMs;
    if (!Number.isInteger(step) || step <= 0 || step % ROLLUP_TIERS.minute.ms !== 0)
      throw new RangeError('stepMs: must be a positive multiple of 60000');
    const start = Math.floor(q.from / step) * step;
    const points = Math.ceil((q.to - start) / step);
    if (points > MAX_SERIES_POINTS)
      throw new RangeError(`stepMs: ${points} points in the window, at most ${MAX_SERIES_POINTS}`);
    const tier: RollupTier = step % ROLLUP_TIERS.hour.ms === 0 ? 'hour' : 'minute';
    const withSketch = QUANTILES[q.metric] !== undefined;
    const stmt = this.statement(tier, 'series', withSketch);
    const buckets = new Map<number, Aggregate>();
    const rows = stmt.iterate(
      q.target,
      q.path,
      q.protocol,
      q.fromRegion,
      q.toRegion,
      start,
      start + points * step,
    );
    for (const row of rows as IterableIterator<Row>) {
      const t = Math.floor((row[0] as number) / step) * step;
      let agg = buckets.get(t);
      if (!agg) {
        agg = emptyAggregate(withSketch);
        buckets.set(t, agg);
      }
      accumulate(agg, row);
    }
    const out: SeriesPoint[] = [];
    for (let i = 0; i < points; i++) {
      const t = start + i * step;
      const agg = buckets.get(t);
      out.push({ t, value: agg ? metricValue(q.metric, agg) : null, samples: agg?.samples ?? 0 });
    }
    return out;
  }

  private statement(tier: RollupTier, kind: 'matrix' | 'series', withSketch: boolean): Statement {
    const key = `${tier}|${kind}|${withSketch}`;
    let stmt = this.statements.get(key);
    if (!stmt) {
      const group = kind === 'matrix' ? 's.probe_region || char(10) || s.column_region' : 'r.bucket';
      const cellFilter = kind === 'series' ? 'AND s.probe_region = ? AND s.column_region = ?' : '';
      stmt = this.db
        .prepare(
          `SELECT ${group}, r.samples, r.ok, r.reset, r.lat_count, r.lat_sum${withSketch ? ', r.sketch' : ''}
           FROM rollup_series s JOIN ${ROLLUP_TIERS[tier].table} r ON r.series_id = s.id
           WHERE s.target = ? AND s.path = ? AND s.protocol = ? ${cellFilter} AND r.bucket >= ? AND r.bucket < ?`,
        )
        .raw(true);
      this.statements.set(key, stmt);
    }
    return stmt;
  }
}

function emptyAggregate(withSketch: boolean): Aggregate {
  return {
    samples: 0,
    ok: 0,
    reset: 0,
    latCount: 0,
    latSum: 0,
    sketch: withSketch ? newSketch() : undefined,
  };
}

function accumulate(agg: Aggregate, row: Row): void {
  agg.samples += row[1];
  agg.ok += row[2];
  agg.reset += row[3];
  agg.latCount += row[4];
  agg.latSum += row[5];
  if (agg.sketch && row[6]) mergeEncodedSketch(agg.sketch, row[6]);
}

function metricValue(metric: MatrixMetric, agg: Aggregate): number | null {
  const q = QUANTILES[metric];
  if (q !== undefined) return agg.latCount > 0 && agg.sketch ? agg.sketch.getValueAtQuantile(q) : null;
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
