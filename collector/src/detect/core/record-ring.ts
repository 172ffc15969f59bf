/**
 * How a record of a detector window is stored as `width` numbers: strings as `Symbols` ids, a missing value as
 * NaN. `read` builds the record again (at evaluation, per window); `write` copies it in (per result).
 */
export interface RecordLayout<T> {
  readonly width: number;
  write(to: Float64Array, at: number, value: T): void;
  read(from: Float64Array, at: number): T;
}

/**
 * A fixed-capacity FIFO like `Ring`, holding its records in one Float64Array instead of one object each: a
 * detector window kept per result then allocates nothing that outlives the result's ingest (a window's objects
 * lived long enough to be promoted to V8's old space and die there, which grew the heap and the GC's work with
 * the ingest rate). O(1) per push.
 */
export class RecordRing<T> {
  private readonly data: Float64Array;
  private head = 0;
  private count = 0;

  constructor(
    readonly capacity: number,
    private readonly layout: RecordLayout<T>,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error(`ring capacity must be a positive integer`);
    this.data = new Float64Array(capacity * layout.width);
  }

  get size(): number {
    return this.count;
  }

  /** Appends; a full ring drops its oldest record. */
  push(value: T): void {
    const at = this.offset(this.count);
    if (this.count < this.capacity) this.count++;
    else this.head = (this.head + 1) % this.capacity;
    this.layout.write(this.data, at, value);
  }

  /** The record the next push drops (the oldest of a full ring), else undefined. */
  evictedByPush(): T | undefined {
    return this.count === this.capacity ? this.read(0) : undefined;
  }

  last(): T | undefined {
    return this.count === 0 ? undefined : this.read(this.count - 1);
  }

  /**
   * Field `field` (0..width-1, as the layout writes it) of record `i`, oldest first, read in place: for
   * evaluations that scan a window without building its records.
   */
  field(i: number, field: number): number {
    return this.data[this.offset(i) + field] as number;
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.read(i));
    return out;
  }

  /**
   * The stored numbers in storage order, not oldest first, as a view (no copy): for statistics that ignore
   * order, such as a median, of a ring of plain numbers (`NUMBER`).
   */
  unordered(): Float64Array {
    return this.data.subarray(0, this.count * this.layout.width);
  }

  private read(i: number): T {
    return this.layout.read(this.data, this.offset(i));
  }

  /** Where record `i` (oldest first) starts in `data`. */
  private offset(i: number): number {
    return ((this.head + i) % this.capacity) * this.layout.width;
  }
}

/** A window of plain numbers (latencies, delays). */
export const NUMBER: RecordLayout<number> = {
  width: 1,
  write: (to, at, value) => {
    to[at] = value;
  },
  read: (from, at) => from[at] as number,
};

/** `v` as stored: NaN for undefined. */
export function optional(v: number | undefined): number {
  return v === undefined ? Number.NaN : v;
}

/** A stored number back: undefined for NaN. */
export function present(v: number | undefined): number | undefined {
  return v === undefined || Number.isNaN(v) ? undefined : v;
}
