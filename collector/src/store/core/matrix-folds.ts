import type { ScratchCell } from './matrix-scratch.ts';
import type { CellTotals } from './rollup-block.ts';

/** A cell of a kept fold: its totals over the fold's blocks (bins merged, never written again). */
export interface FoldCell {
  from: string;
  to: string;
  totals: CellTotals;
}

/** A matrix's totals summed over the first blocks of its window, kept for the next read of that window. */
export interface MatrixFold {
  /** Start of the window (bucket start) the fold belongs to. */
  from: number;
  /** The blocks summed, as read (bucket, bytes): a later read reuses the fold only if it reads these first. */
  buckets: number[];
  blocks: Uint8Array[];
  cells: FoldCell[];
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

  /** The fold kept under `key`, whichever window it belongs to, unchecked and not marked used. */
  peek(key: string): MatrixFold | undefined {
    return this.folds.get(key)?.fold;
  }

  keep(key: string, fold: MatrixFold): void {
    this.drop(key);
    let bytes = 0;
    for (const b of fold.blocks) bytes += b.length;
    for (const c of fold.cells) bytes += CELL_BYTES + BIN_BYTES * (c.totals.bins?.capacity ?? 0);
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
  // The same array when the dialect answered a known block itself (see `BlockSelect.known`).
  return a === b || (a.length === b.length && Buffer.compare(a, b) === 0);
}

/** Copies of the read's cells, `base` merged into `bins`: the fold kept must not see what the reader adds later. */
export function foldCells(cells: readonly ScratchCell[]): FoldCell[] {
  return cells.map((c) => {
    const bins = c.base?.copy() ?? c.bins?.copy();
    if (c.base && c.bins) bins?.addAll(c.bins);
    const totals: CellTotals = {
      samples: c.samples,
      ok: c.ok,
      reset: c.reset,
      latCount: c.latCount,
      latSum: c.latSum,
      zeros: c.zeros,
      bins,
    };
    return { from: c.from, to: c.to, totals };
  });
}
