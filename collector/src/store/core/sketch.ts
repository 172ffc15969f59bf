import { DDSketch } from '@datadog/sketches-js';
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
