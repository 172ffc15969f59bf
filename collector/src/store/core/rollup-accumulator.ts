import type { Outcome } from '@flyprobe/shared';
import { BinCounts } from './bin-counts.ts';
import type { ByteReader, ByteWriter } from './bytes.ts';
import { SKETCH_MAX_MS, SKETCH_MIN_MS } from './rollup-sample.ts';
import { newSketch, readSketchBins } from './sketch.ts';

/** The library's key mapping at the store's accuracy: bins here are exactly the bins a DDSketch would fill. */
const MAPPING = newSketch().mapping;

/**
 * One rollup cell as the writer accumulates it: the counters of `RollupState` and the sketch's bins as
 * `BinCounts` keyed by the library's mapping, with the zero bucket apart.
 *
 * Why not a library DDSketch per cell: adding to its dense store reallocates and shifts plain arrays as the
 * key range widens, and writing it back scans every bin twice. Here an add is one array increment and the
 * count of non-empty bins is kept, so encoding is one pass. The bytes written are the block format's
 * (`writeSketch`), so readers merge them into library sketches as before.
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
  private readonly bins = new BinCounts();

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
    w.varint(this.bins.nonEmpty);
    let previous = 0;
    this.bins.forEach((key, count) => {
      w.zigzag(key - previous);
      w.varint(count);
      previous = key;
    });
  }

  /** Reads a cell body of the block format. */
  static read(r: ByteReader): CellAccumulator {
    const a = new CellAccumulator();
    a.addBody(r);
    return a;
  }

  /** Adds a cell body of the block format (another writer's partial of the same cell) into this one. */
  addBody(r: ByteReader): void {
    this.samples += r.varint();
    this.ok += r.varint();
    this.reset += r.varint();
    this.refused += r.varint();
    this.timeout += r.varint();
    this.failedOther += r.varint();
    this.degraded += r.varint();
    this.latCount += r.varint();
    this.latSum += r.f64();
    readSketchBins(
      r,
      (zeros) => {
        this.zeros += zeros;
      },
      (key, count) => this.bins.add(key, count),
    );
  }

  /** The library's `accept`: values it cannot map go to the zero bucket. */
  private addLatency(value: number): void {
    if (value > MAPPING.minPossible) this.bins.add(MAPPING.key(value), 1);
    else this.zeros++;
  }
}
