const NO_BINS = new Float64Array(0);

/**
 * Counts per sketch bin, keyed by the library's bin keys (its `LogarithmicMapping`), in a Float64Array that
 * grows by doubling to the smallest power of two holding the key range, the spare room split between both
 * sides (not twice the range: a writer caches thousands of cells, ~4 KiB each that way). An add is one array increment: no Map entry, no boxed number,
 * no reshuffled plain array as in the library's dense store. Used where bins are summed many times (the
 * writer's cells, the reader's merged cells) before one library sketch, or one encoding, is made of them.
 */
export class BinCounts implements Iterable<[key: number, count: number]> {
  private bins = NO_BINS;
  /** Key of `bins[0]`. */
  private offset = 0;
  private minKey = 0;
  private maxKey = -1;
  /** Bins with a count above zero (counts never go down). */
  nonEmpty = 0;

  add(key: number, count: number): void {
    if (count <= 0) return;
    if (this.nonEmpty === 0 || key < this.minKey || key > this.maxKey) this.widen(key);
    const i = key - this.offset;
    if (this.bins[i] === 0) this.nonEmpty++;
    this.bins[i]! += count;
  }

  /** Non-empty bins in ascending key order. */
  *[Symbol.iterator](): Iterator<[number, number]> {
    for (let key = this.minKey; key <= this.maxKey; key++) {
      const count = this.bins[key - this.offset]!;
      if (count > 0) yield [key, count];
    }
  }

  /** Calls `each` for the non-empty bins in ascending key order (no pair allocated per bin). */
  forEach(each: (key: number, count: number) => void): void {
    for (let key = this.minKey; key <= this.maxKey; key++) {
      const count = this.bins[key - this.offset]!;
      if (count > 0) each(key, count);
    }
  }

  /**
   * The smallest key whose running count (ascending keys) over these bins plus `plus`'s exceeds `rank`, as the
   * library's `DenseStore.keyAtRank(rank)` over a store of both; the largest key when none does.
   */
  keyAtRank(rank: number, plus?: BinCounts): number {
    const other = plus && plus.nonEmpty > 0 ? plus : undefined;
    let lo = this.minKey;
    let hi = this.maxKey;
    if (other) {
      lo = this.nonEmpty > 0 ? Math.min(lo, other.minKey) : other.minKey;
      hi = this.nonEmpty > 0 ? Math.max(hi, other.maxKey) : other.maxKey;
    }
    let running = 0;
    for (let key = lo; key <= hi; key++) {
      running += this.at(key);
      if (other) running += other.at(key);
      if (running > rank) return key;
    }
    return hi;
  }

  /** Sum of the counts. */
  total(): number {
    let sum = 0;
    for (let key = this.minKey; key <= this.maxKey; key++) sum += this.bins[key - this.offset]!;
    return sum;
  }

  /** Adds every bin of `other`. */
  addAll(other: BinCounts): void {
    other.forEach((key, count) => {
      this.add(key, count);
    });
  }

  /** Empties the counts, keeping the buffer for what is added next. */
  clear(): void {
    if (this.nonEmpty > 0) this.bins.fill(0, this.minKey - this.offset, this.maxKey - this.offset + 1);
    this.nonEmpty = 0;
    this.minKey = 0;
    this.maxKey = -1;
  }

  /** Bin slots allocated (memory accounting). */
  get capacity(): number {
    return this.bins.length;
  }

  copy(): BinCounts {
    const c = new BinCounts();
    c.bins = this.bins.slice();
    c.offset = this.offset;
    c.minKey = this.minKey;
    c.maxKey = this.maxKey;
    c.nonEmpty = this.nonEmpty;
    return c;
  }

  private at(key: number): number {
    const i = key - this.offset;
    return i >= 0 && i < this.bins.length ? this.bins[i]! : 0;
  }

  private widen(key: number): void {
    const lo = this.nonEmpty === 0 ? key : Math.min(this.minKey, key);
    const hi = this.nonEmpty === 0 ? key : Math.max(this.maxKey, key);
    if (lo < this.offset || hi >= this.offset + this.bins.length) {
      const span = hi - lo + 1;
      let length = Math.max(16, this.bins.length);
      while (length < span) length *= 2;
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
