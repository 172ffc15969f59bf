import type { Outcome } from '@flyprobe/shared';
import type { ByteReader, ByteWriter } from './bytes.ts';
import { SKETCH_MAX_MS, SKETCH_MIN_MS } from './rollup-sample.ts';
import { newSketch, readSketchBins } from './sketch.ts';

/** The library's key mapping at the store's accuracy: bins here are exactly the bins a DDSketch would fill. */
const MAPPING = newSketch().mapping;
const NO_BINS = new Float64Array(0);

/**
 * One rollup cell as the writer accumulates it: the counters of `RollupState` and the sketch's bins in a
 * growable Float64Array indexed by the library's keys (its `LogarithmicMapping`), with the zero bucket apart.
 *
 * Why not a library DDSketch per cell: adding to its dense store reallocates and shifts plain arrays as the
 * key range widens, and writing it back scans every bin twice. Here an add is one array increment, the array
 * grows by doubling, and the count of non-empty bins is kept so encoding is one pass. The bytes written are
 * the block format's (`writeSketch`), so readers merge them into library sketches as before.
 */
export class CellAccumulator {
  samples = 0;
  ok = 0;
  reset = 0;
  refused = 0;
  timeout = 0;
  failedOther = 0;
  degraded = 0;
  latCount = 0;
  latSum = 0;
  zeros = 0;
  private bins = NO_BINS;
  /** Key of `bins[0]`. */
  private offset = 0;
  private minKey = 0;
  private maxKey = -1;
  private nonEmpty = 0;

  /** Adds one result: every sample is counted; only ok, undegraded samples with a latency enter the sketch. */
  add(outcome: Outcome, latencyMs: number | undefined, degraded: boolean | undefined): void {
    this.samples++;
    if (degraded) this.degraded++;
    switch (outcome) {
      case 'ok':
        this.ok++;
        if (latencyMs !== undefined && !degraded) {
          this.latCount++;
          this.latSum += latencyMs;
          this.addLatency(Math.min(Math.max(latencyMs, SKETCH_MIN_MS), SKETCH_MAX_MS));
        }
        break;
      case 'reset':
        this.reset++;
        break;
      case 'refused':
        this.refused++;
        break;
      case 'timeout':
        this.timeout++;
        break;
      default:
        this.failedOther++;
    }
  }

  /** Writes the cell body of the block format (see `encodeBlock`). */
  write(w: ByteWriter): void {
    w.varint(this.samples);
    w.varint(this.ok);
    w.varint(this.reset);
    w.varint(this.refused);
    w.varint(this.timeout);
    w.varint(this.failedOther);
    w.varint(this.degraded);
    w.varint(this.latCount);
    w.f64(this.latSum);
    w.varint(this.zeros);
    w.varint(this.nonEmpty);
    let previous = 0;
    for (let key = this.minKey; key <= this.maxKey; key++) {
      const count = this.bins[key - this.offset]!;
      if (count === 0) continue;
      w.zigzag(key - previous);
      w.varint(count);
      previous = key;
    }
  }

  /** Reads a cell body of the block format. */
  static read(r: ByteReader): CellAccumulator {
    const a = new CellAccumulator();
    a.samples = r.varint();
    a.ok = r.varint();
    a.reset = r.varint();
    a.refused = r.varint();
    a.timeout = r.varint();
    a.failedOther = r.varint();
    a.degraded = r.varint();
    a.latCount = r.varint();
    a.latSum = r.f64();
    readSketchBins(
      r,
      (zeros) => {
        a.zeros += zeros;
      },
      (key, count) => a.addToBin(key, count),
    );
    return a;
  }

  /** The library's `accept`: values it cannot map go to the zero bucket. */
  private addLatency(value: number): void {
    if (value > MAPPING.minPossible) this.addToBin(MAPPING.key(value), 1);
    else this.zeros++;
  }

  private addToBin(key: number, count: number): void {
    if (count <= 0) return;
    if (this.nonEmpty === 0 || key < this.minKey || key > this.maxKey) this.widen(key);
    const i = key - this.offset;
    if (this.bins[i] === 0) this.nonEmpty++;
    this.bins[i]! += count;
  }

  /** Makes `key` addressable, growing the array by doubling with room on both sides. */
  private widen(key: number): void {
    const lo = this.nonEmpty === 0 ? key : Math.min(this.minKey, key);
    const hi = this.nonEmpty === 0 ? key : Math.max(this.maxKey, key);
    if (lo < this.offset || hi >= this.offset + this.bins.length) {
      const span = hi - lo + 1;
      let length = Math.max(16, this.bins.length);
      while (length < 2 * span) length *= 2;
      const next = new Float64Array(length);
      const offset = lo - Math.floor((length - span) / 2);
      if (this.nonEmpty > 0)
        next.set(
          this.bins.subarray(this.minKey - this.offset, this.maxKey - this.offset + 1),
          this.minKey - offset,
        );
      this.bins = next;
      this.offset = offset;
    }
    this.minKey = lo;
    this.maxKey = hi;
  }
}
