import type { DDSketch } from '@datadog/sketches-js';
import { type MatrixCell, type MatrixMetric, regionRttFloorMs } from '@flyprobe/shared';
import { decodeBlock } from '../core/rollup-block.ts';
import { newSketch } from '../core/sketch.ts';

const QUANTILES: Partial<Record<MatrixMetric, number>> = { p50: 0.5, p95: 0.95, p99: 0.99 };

interface Sums {
  samples: number;
  ok: number;
  reset: number;
  latCount: number;
  latSum: number;
  sketch: DDSketch;
}

/**
 * The matrix computed the straightforward way, to hold the store's optimized reader to: every block decoded
 * in full (library sketches rebuilt), cells merged with the library's `DDSketch.merge` in the order the rows
 * come, quantiles asked of the merged library sketch.
 */
export function referenceMatrix(
  metric: MatrixMetric,
  rows: Iterable<readonly [number, Uint8Array]>,
): MatrixCell[] {
  const sums = new Map<string, Sums & { from: string; to: string }>();
  for (const [, data] of rows) {
    for (const cell of decodeBlock(data)) {
      const key = `${cell.probeRegion}\n${cell.column}`;
      let s = sums.get(key);
      if (!s) {
        s = {
          from: cell.probeRegion,
          to: cell.column,
          samples: 0,
          ok: 0,
          reset: 0,
          latCount: 0,
          latSum: 0,
          sketch: newSketch(),
        };
        sums.set(key, s);
      }
      s.samples += cell.state.samples;
      s.ok += cell.state.ok;
      s.reset += cell.state.reset;
      s.latCount += cell.state.latCount;
      s.latSum += cell.state.latSum;
      s.sketch.merge(cell.state.sketch);
    }
  }
  const out: MatrixCell[] = [];
  for (const s of sums.values()) {
    const q = QUANTILES[metric];
    let value: number | null;
    if (q !== undefined) value = s.latCount > 0 ? s.sketch.getValueAtQuantile(q) : null;
    else if (metric === 'mean') value = s.latCount > 0 ? s.latSum / s.latCount : null;
    else if (s.samples === 0) value = null;
    else value = metric === 'loss' ? (s.samples - s.ok) / s.samples : s.reset / s.samples;
    const floorMs = s.to ? (regionRttFloorMs(s.from, s.to) ?? null) : null;
    const latency = metric !== 'loss' && metric !== 'reset_rate';
    const inflation = latency && value !== null && floorMs !== null && floorMs > 1 ? value / floorMs : null;
    out.push({ from: s.from, to: s.to, value, samples: s.samples, floorMs, inflation });
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort((a, b) => (a.from === b.from ? cmp(a.to, b.to) : cmp(a.from, b.from)));
}
