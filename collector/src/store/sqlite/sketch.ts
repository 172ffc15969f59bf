import { DDSketch } from '@datadog/sketches-js';

/** Every latency sketch uses this accuracy: a quantile is within 1% of the true value (relative). */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

const FORMAT_VERSION = 1;

export function newSketch(): DDSketch {
  return new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
}

/**
 * Compact sparse encoding of a DDSketch's bins: the library's `toProto` writes the whole dense bin array
 * (about 1 KB even for four samples) and decodes at ~20 us, too big and slow for one row per minute per cell.
 * Layout: version byte, varint zero count, varint bin count, then per non-empty bin a zigzag varint key delta
 * and a varint count. Keys and values stay the library's (its LogarithmicMapping), so only the bytes are ours.
 */
export function encodeSketch(sketch: DDSketch): Buffer {
  const store = sketch.store;
  const body: number[] = [];
  let bins = 0;
  let previous = 0;
  for (let key = store.minKey; key <= store.maxKey; key++) {
    const count = store.bins[key - store.offset] ?? 0;
    if (count === 0) continue;
    writeVarint(body, zigzag(key - previous));
    writeVarint(body, checkedCount(count));
    previous = key;
    bins++;
  }
  const head: number[] = [FORMAT_VERSION];
  writeVarint(head, checkedCount(sketch.zeroCount));
  writeVarint(head, bins);
  return Buffer.from([...head, ...body]);
}

/** Adds an encoded sketch's samples into `into` (merge without materialising a second sketch). */
export function mergeEncodedSketch(into: DDSketch, blob: Uint8Array): void {
  if (blob.length === 0) return;
  if (blob[0] !== FORMAT_VERSION) throw new Error(`sketch: unknown format version ${blob[0]}`);
  const cursor = { pos: 1 };
  const zeros = readVarint(blob, cursor);
  if (zeros > 0) into.accept(0, zeros);
  const bins = readVarint(blob, cursor);
  let key = 0;
  for (let i = 0; i < bins; i++) {
    key += unzigzag(readVarint(blob, cursor));
    const count = readVarint(blob, cursor);
    // The bin's representative value maps back to the same key, so this is an exact bin-wise merge.
    into.accept(into.mapping.value(key), count);
  }
}

export function decodeSketch(blob: Uint8Array): DDSketch {
  const sketch = newSketch();
  mergeEncodedSketch(sketch, blob);
  return sketch;
}

function checkedCount(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new Error(`sketch: bin count ${n} is not a non-negative integer`);
  return n;
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function unzigzag(n: number): number {
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

// Arithmetic (not bitwise) so counts above 2^31 survive.
function writeVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) + 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function readVarint(buf: Uint8Array, cursor: { pos: number }): number {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    const byte = buf[cursor.pos++];
    if (byte === undefined) throw new Error('sketch: truncated blob');
    result += (byte & 0x7f) * scale;
    if (byte < 0x80) return result;
    scale *= 0x80;
  }
  throw new Error('sketch: varint too long');
}
