/** A fixed-capacity FIFO: pushing onto a full ring evicts the oldest item. O(1) per push. */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error(`ring capacity must be a positive integer`);
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Appends; returns the evicted oldest item when the ring was full. */
  push(item: T): T | undefined {
    if (this.count < this.capacity) {
      this.items[(this.head + this.count) % this.capacity] = item;
      this.count++;
      return undefined;
    }
    const evicted = this.items[this.head];
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    return evicted;
  }

  /** Drops the oldest items while `stale` says so (e.g. older than a time window). */
  dropWhile(stale: (item: T) => boolean): void {
    while (this.count > 0) {
      const oldest = this.items[this.head] as T;
      if (!stale(oldest)) return;
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
    }
  }

  last(): T | undefined {
    return this.count === 0 ? undefined : this.items[(this.head + this.count - 1) % this.capacity];
  }

  /** Item `i`, oldest first (0 <= i < size): for scans that need no copy. */
  at(i: number): T {
    return this.items[(this.head + i) % this.capacity] as T;
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.at(i));
    return out;
  }

  /** The newest `n` items, oldest first. */
  newest(n: number): T[] {
    const all = this.toArray();
    return n >= all.length ? all : all.slice(all.length - n);
  }
}

/** Reused by `sortedCopy`: sorting a Float64Array needs no comparator, whose boxed results allocated per comparison. */
let scratch = new Float64Array(64);

/** `values` sorted ascending in a shared buffer, valid until the next call (callers read it at once). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  if (values.length > scratch.length) scratch = new Float64Array(Math.max(values.length, 2 * scratch.length));
  for (let i = 0; i < values.length; i++) scratch[i] = values[i] as number;
  return scratch.subarray(0, values.length).sort();
}

/** Nearest-rank quantile (q in 0..1); undefined for no values. Leaves `values` as they are. */
export function quantile(values: ArrayLike<number>, q: number): number | undefined {
  return values.length === 0 ? undefined : sortedQuantile(sortedCopy(values), q);
}

/** Median with the usual mean of the two middle values for even counts. */
export function median(values: ArrayLike<number>): number | undefined {
  return values.length === 0 ? undefined : sortedMedian(sortedCopy(values));
}

/** `quantile` of values already sorted ascending (several statistics of one window share one sort). */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** `median` of values already sorted ascending. */
export function sortedMedian(sorted: ArrayLike<number>): number | undefined {
  if (sorted.length === 0) return undefined;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The most frequent value and its count; ties go to the value seen last. */
export function mode<T>(values: readonly T[]): { value: T; count: number } | undefined {
  const counts = new Map<T, number>();
  let best: { value: T; count: number } | undefined;
  for (const v of values) {
    const n = (counts.get(v) ?? 0) + 1;
    counts.set(v, n);
    if (!best || n >= best.count) best = { value: v, count: n };
  }
  return best;
}

/** Rounds for evidence and summaries: 0.1 ms resolution is plenty. */
export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Tracks the typical gap between a key's samples (its probe interval) with an EWMA. */
export class IntervalEstimate {
  private lastAt: number | undefined;
  private ewma: number | undefined;

  observe(at: number): void {
    if (this.lastAt !== undefined && at > this.lastAt) {
      const gap = at - this.lastAt;
      this.ewma = this.ewma === undefined ? gap : this.ewma * 0.8 + gap * 0.2;
    }
    if (this.lastAt === undefined || at > this.lastAt) this.lastAt = at;
  }

  /** Estimated interval in ms, or `fallback` before two samples were seen. */
  get(fallback: number): number {
    return this.ewma ?? fallback;
  }
}

/**
 * The entries seen within their stale time (`staleMs` of the entry) of `now`, in map order, after deleting the
 * rest, so that keyed detector state forgets probes, cells and routes that stopped reporting. One array per
 * call: a generator over the map's entries allocated an entry and an iterator result per key per evaluation.
 */
export function liveEntries<K, V extends { lastAt: number }>(
  map: Map<K, V>,
  now: number,
  staleMs: (value: V) => number,
): V[] {
  const live: V[] = [];
  map.forEach((value, key) => {
    if (now - value.lastAt > staleMs(value)) map.delete(key);
    else live.push(value);
  });
  return live;
}
