import { BinCounts } from './bin-counts.ts';
import type { CellTotals } from './rollup-block.ts';

/** Output cells of a matrix being summed: probe region -> column -> totals. */
export type MatrixTotals = Map<string, Map<string, CellTotals>>;

/** A matrix's totals summed over the first blocks of its window, kept for the next read of that window. */
export interface MatrixFold {
  /** Start of the window (bucket start) the fold belongs to. */
  from: number;
  /** The blocks summed, as read (bucket, bytes): a later read reuses the fold only if it reads these first. */
  buckets: number[];
  blocks: Uint8Array[];
  totals: MatrixTotals;
}

/** Bytes a fold keeps besides its blocks, per output cell (counters, map entry) and per bin slot. */
const CELL_BYTES = 160;
const BIN_BYTES = 8;

/**
 * Recently read matrix windows, so a read of the same window (a dashboard refreshing, several users) sums
 * only the blocks that changed at its end: the current bucket while ingest runs. A fold is keyed by what the
 * reader reads (tier, target, path, protocol, with or without sketches) and trusted only after the blocks it
 * summed compare equal byte for byte to the blocks read now, so nothing is invalidated from outside and
 * several collectors writing one PostgreSQL database are no concern. Least recently used folds are dropped
 * past `maxBytes`.
 */
export class MatrixFolds {
  private readonly folds = new Map<string, { fold: MatrixFold; bytes: number }>();
  private bytes = 0;

  constructor(readonly maxBytes = 16 * 1024 * 1024) {}

  /** The fold kept under `key` whose blocks are the first of `rows`, or undefined. */
  match(
    key: string,
    from: number,
    rows: ReadonlyArray<readonly [number, Uint8Array]>,
  ): MatrixFold | undefined {
    const entry = this.folds.get(key);
    if (!entry) return undefined;
    const { fold } = entry;
    if (fold.from !== from || fold.blocks.length > rows.length) return undefined;
    for (let i = 0; i < fold.blocks.length; i++) {
      const [bucket, data] = rows[i]!;
      if (bucket !== fold.buckets[i] || !sameBytes(data, fold.blocks[i]!)) return undefined;
    }
    // Most recently used last, so eviction takes the first.
    this.folds.delete(key);
    this.folds.set(key, entry);
    return fold;
  }

  keep(key: string, fold: MatrixFold): void {
    this.drop(key);
    let bytes = 0;
    for (const b of fold.blocks) bytes += b.length;
    for (const row of fold.totals.values())
      for (const t of row.values()) bytes += CELL_BYTES + BIN_BYTES * (t.bins?.capacity ?? 0);
    if (bytes > this.maxBytes) return;
    while (this.bytes + bytes > this.maxBytes) {
      const oldest = this.folds.keys().next();
      if (oldest.done) break;
      this.drop(oldest.value);
    }
    this.folds.set(key, { fold, bytes });
    this.bytes += bytes;
  }

  /** Bytes held now (blocks and totals, estimated). */
  get size(): number {
    return this.bytes;
  }

  private drop(key: string): void {
    const entry = this.folds.get(key);
    if (!entry) return;
    this.folds.delete(key);
    this.bytes -= entry.bytes;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** A deep copy, `base` merged into `bins`: the fold kept must not see what is added to the totals after it. */
export function copyTotals(totals: MatrixTotals): MatrixTotals {
  const out: MatrixTotals = new Map();
  for (const [from, row] of totals) {
    const copy = new Map<string, CellTotals>();
    for (const [to, t] of row) {
      const bins = t.base?.copy() ?? t.bins?.copy();
      if (t.base && t.bins) bins?.addAll(t.bins);
      copy.set(to, { ...t, bins, base: undefined });
    }
    out.set(from, copy);
  }
  return out;
}

/**
 * Totals to go on summing from a kept fold without copying its bins: counters copied, the fold's bins
 * shared as `base` (read, never written), new bins added to an empty `BinCounts` beside them.
 */
export function overlayTotals(fold: MatrixTotals): MatrixTotals {
  const out: MatrixTotals = new Map();
  for (const [from, row] of fold) {
    const copy = new Map<string, CellTotals>();
    for (const [to, t] of row)
      copy.set(to, { ...t, bins: t.bins && BinCounts.roomFor(t.bins), base: t.bins });
    out.set(from, copy);
  }
  return out;
}
