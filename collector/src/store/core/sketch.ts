import { DDSketch } from '@datadog/sketches-js';
import type { BinCounts } from './bin-counts.ts';
import type { ByteReader, ByteWriter } from './bytes.ts';

/** Every latency sketch uses this accuracy: a quantile is within 1% of the true value (relative). */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

export function newSketch(): DDSketch {
  return new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
}

/**
 * Sparse encoding of a DDSketch's bins. The library's `toProto` writes the whole dense bin array (about 1 KB
 * even for four samples) and decodes at ~20 us: too big and slow for a cell of every minute. Layout: varint
 * zero count, varint number of non-empty bins, then per bin a zigzag varint key delta and a varint count.
 * Keys are the library's (its LogarithmicMapping at 1%), so only the bytes are ours.
 */
export function writeSketch(w: ByteWriter, sketch: DDSketch): void {
  const store = sketch.store;
  let bins = 0;
  for (let key = store.minKey; key <= store.maxKey; key++)
    if ((store.bins[key - store.offset] ?? 0) > 0) bins++;
  w.varint(sketch.zeroCount);
  w.varint(bins);
  let previous = 0;
  for (let key = store.minKey; key <= store.maxKey; key++) {
    const count = store.bins[key - store.offset] ?? 0;
    if (count === 0) continue;
    w.zigzag(key - previous);
    w.varint(count);
    previous = key;
  }
}

/** Reads one sketch written by `writeSketch`, handing each bin (key 0 = the zero bucket's count) to `onBin`. */
export function readSketchBins(
  r: ByteReader,
  onZeros: (count: number) => void,
  onBin: (key: number, count: number) => void,
): void {
  const zeros = r.varint();
  if (zeros > 0) onZeros(zeros);
  const bins = r.varint();
  let key = 0;
  for (let i = 0; i < bins; i++) {
    key += r.zigzag();
    onBin(key, r.varint());
  }
}

/** Adds bins (as read from an encoding) into a library sketch: each bin's representative value maps back to its key. */
export function acceptBin(into: DDSketch, key: number, count: number): void {
  into.accept(into.mapping.value(key), count);
}

/** The library's key mapping at the store's accuracy. */
const MAPPING = newSketch().mapping;

/**
 * `getValueAtQuantile(q)` of the library sketch that `acceptBin` would build from these bins (plus `base`) and
 * zero count,
 * without building it: reading showed the per-cell sketch (its dense store growing and shifting plain
 * arrays) costing more than summing the bins. Same arithmetic: rank q * (count - 1) over zeros then bins in
 * ascending key order, the answer being the value of the bin's key as `accept` would re-key it. NaN when empty.
 */
export function binQuantile(
  zeros: number,
  bins: BinCounts | undefined,
  q: number,
  base?: BinCounts | undefined,
): number {
  const count = zeros + (bins?.total() ?? 0) + (base?.total() ?? 0);
  if (q < 0 || q > 1 || count === 0) return Number.NaN;
  const rank = q * (count - 1);
  const first = bins ?? base;
  if (rank < zeros || !first) return 0;
  const key = first.keyAtRank(rank - zeros, first === bins ? base : undefined);
  // accept() stores a bin's value under mapping.key(value), a monotonic re-keying, so the rank lands on the
  // re-keyed bin of this one. Bins come from latencies clamped to >= SKETCH_MIN_MS, far above the mapping's
  // minPossible, so accept() never moves one into the zero bucket.
  return MAPPING.value(MAPPING.key(MAPPING.value(key)));
}
