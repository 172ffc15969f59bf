import { regionRttFloorMs } from '@flyprobe/shared';
import { BinCounts } from './bin-counts.ts';
import { type CellTotals, emptyTotals } from './rollup-block.ts';

/** A reused output cell: its totals, and what never changes for its (probe region, column). */
export interface ScratchCell extends CellTotals {
  readonly from: string;
  readonly to: string;
  /** The fibre floor of the pair (null without a column or outside the catalog), looked up once. */
  readonly floorMs: number | null;
  /** The read that last reset it. */
  read: number;
  /** Bins kept for reads that want them (`bins` is undefined in reads of counters only). */
  spare: BinCounts | undefined;
}

/** Past this many cells (pairs seen over the process's life) the scratch starts afresh: memory stays bounded. */
const MAX_CELLS = 4096;
/** Bins kept across reads per cell (4 KiB); a cell that once needed more gives its buffer back. */
const MAX_KEPT_BINS = 512;

/**
 * The totals of the matrix being summed, reused from read to read: a full-catalog matrix used to allocate 324
 * cell objects, their maps and a Float64Array of bins each per request (~200 KiB a read), garbage that set
 * the pace of the collector's GCs. A read is synchronous once its blocks are in, so one scratch per reader is
 * never used by two reads at once; nothing in it escapes into an answer (the answer's cells are new objects
 * of numbers, a kept fold is a copy).
 */
export class MatrixScratch {
  private cells = new Map<string, Map<string, ScratchCell>>();
  private size = 0;
  private read = 0;
  private withSketch = false;
  /** The cells of the current read, in the order first touched. */
  readonly touched: ScratchCell[] = [];
  // The blocks of one (target, path, protocol) mostly list the same cells in the same order, so the cell at
  // each position is first compared with the one there in the previous block (interned strings: a pointer).
  private readonly atProbe: string[] = [];
  private readonly atColumn: string[] = [];
  private readonly atCell: ScratchCell[] = [];

  /** Starts a read: every cell counts as empty until touched. */
  begin(withSketch: boolean): void {
    this.read++;
    this.withSketch = withSketch;
    this.touched.length = 0;
    if (this.size > MAX_CELLS) {
      this.cells = new Map();
      this.size = 0;
    }
  }

  /** The cell of (probe region, column) in this read, emptied on its first touch. */
  cell(from: string, to: string): ScratchCell {
    let row = this.cells.get(from);
    if (!row) {
      row = new Map();
      this.cells.set(from, row);
    }
    let cell = row.get(to);
    if (!cell) {
      cell = {
        from,
        to,
        floorMs: to ? (regionRttFloorMs(from, to) ?? null) : null,
        read: 0,
        ...emptyTotals(false),
        spare: undefined,
      };
      row.set(to, cell);
      this.size++;
    }
    if (cell.read !== this.read) this.reset(cell);
    return cell;
  }

  /** `cell`, first asking the cache of what sat at `index` in the previous block. */
  cellAt(from: string, to: string, index: number): ScratchCell {
    const cached = this.atCell[index];
    if (cached && cached.read === this.read && this.atProbe[index] === from && this.atColumn[index] === to)
      return cached;
    const cell = this.cell(from, to);
    this.atProbe[index] = from;
    this.atColumn[index] = to;
    this.atCell[index] = cell;
    return cell;
  }

  private reset(cell: ScratchCell): void {
    cell.read = this.read;
    this.touched.push(cell);
    cell.samples = 0;
    cell.ok = 0;
    cell.reset = 0;
    cell.latCount = 0;
    cell.latSum = 0;
    cell.zeros = 0;
    cell.base = undefined;
    if (!this.withSketch) {
      cell.bins = undefined;
      return;
    }
    if (!cell.spare || cell.spare.capacity > MAX_KEPT_BINS) cell.spare = new BinCounts();
    else cell.spare.clear();
    cell.bins = cell.spare;
  }
}
