import { BinCounts } from './bin-counts.ts';
import { ByteReader, ByteWriter } from './bytes.ts';
import { CellAccumulator } from './rollup-accumulator.ts';
import type { RollupState } from './rollup-sample.ts';
import { acceptBin, newSketch, readSketchBins, writeSketch } from './sketch.ts';

const BLOCK_VERSION = 1;
/** Cell body length prefix: a varint padded to 3 bytes (bodies are far below 2 MB). */
const LENGTH_WIDTH = 3;

/** Where a cell sits in its block. */
export interface CellName {
  probeRegion: string;
  column: string;
  edge: string;
}

/** One rollup row: a (probe region, column, edge) cell of a block. */
export interface RollupCell extends CellName {
  state: RollupState;
}

/**
 * A cell as the writer caches it: `body` (its encoded bytes) until something is added to it, then `acc`.
 * Loading a block for one late result then costs a parse of the cell headers, not 300 sketch rebuilds.
 */
export interface LazyCell extends CellName {
  acc: CellAccumulator | undefined;
  body: Uint8Array | undefined;
}

/** Sums of cells as a reader accumulates them; `bins` only when latency quantiles are wanted. */
export interface CellTotals {
  samples: number;
  ok: number;
  reset: number;
  latCount: number;
  latSum: number;
  zeros: number;
  bins: BinCounts | undefined;
  /** Bins summed earlier and shared read-only (a kept fold's), counted as if added to `bins`. */
  base?: BinCounts | undefined;
}

/** Totals with nothing added yet. */
export function emptyTotals(withSketch: boolean): CellTotals {
  return {
    samples: 0,
    ok: 0,
    reset: 0,
    latCount: 0,
    latSum: 0,
    zeros: 0,
    bins: withSketch ? new BinCounts() : undefined,
  };
}

/**
 * A block holds every cell of one (target, path, protocol) for one bucket, so a 24 h matrix reads 25 rows
 * instead of 25 x cells: SQLite's per-row cost, not sketch merging, dominated reads with one row per cell.
 * Layout: version, varint cell count, then per cell: probe region, column and edge (length-prefixed ASCII),
 * body length, body = varint samples, ok, reset, refused, timeout, failedOther, degraded, latCount,
 * f64 latSum, sketch (see `writeSketch`). The body length lets readers skip cells they do not want.
 */
export function encodeBlock(cells: readonly RollupCell[]): Buffer {
  const w = new ByteWriter();
  writeCells(w, cells, cells.length, (c) => writeStateBody(w, c.state));
  return w.toBuffer();
}

/**
 * Encodes the writer's cells into `w`, which is reused across blocks so its buffer is allocated once; the
 * answer is a view of that buffer, valid until `w` is written again.
 */
export function encodeLazyBlock(w: ByteWriter, cells: Iterable<LazyCell>, count: number): Buffer {
  writeCells(w, cells, count, (c) => {
    if (c.acc) c.acc.write(w);
    else if (c.body) w.bytes(c.body);
    else
      throw new Error(`rollup block: cell ${c.probeRegion}/${c.column}/${c.edge} has neither state nor body`);
  });
  return w.written();
}

function writeCells<C extends CellName>(
  w: ByteWriter,
  cells: Iterable<C>,
  count: number,
  writeBody: (cell: C) => void,
): void {
  w.reset();
  w.byte(BLOCK_VERSION);
  w.varint(count);
  let written = 0;
  for (const c of cells) {
    w.str(c.probeRegion);
    w.str(c.column);
    w.str(c.edge);
    const at = w.skip(LENGTH_WIDTH);
    const start = w.length;
    writeBody(c);
    w.patchVarint(at, LENGTH_WIDTH, w.length - start);
    written++;
  }
  if (written !== count) throw new Error(`rollup block: ${written} cells, ${count} announced`);
}

function writeStateBody(w: ByteWriter, s: RollupState): void {
  for (const n of [s.samples, s.ok, s.reset, s.refused, s.timeout, s.failedOther, s.degraded, s.latCount])
    w.varint(n);
  w.f64(s.latSum);
  writeSketch(w, s.sketch);
}

/** The encoded body of one state, for the writer to cache until something is added to the cell. */
export function encodeStateBody(s: RollupState): Uint8Array {
  const w = new ByteWriter();
  writeStateBody(w, s);
  return w.toBuffer();
}

/** Cells with their encoded bodies, for the writer to decode only the cells it adds to. */
export function decodeBlockLazy(buf: Uint8Array): LazyCell[] {
  const r = open(buf);
  const cells: LazyCell[] = [];
  for (let n = r.varint(), i = 0; i < n; i++) {
    const probeRegion = r.str();
    const column = r.str();
    const edge = r.str();
    const length = r.varint();
    const start = r.pos;
    r.skip(length);
    cells.push({ probeRegion, column, edge, acc: undefined, body: buf.subarray(start, start + length) });
  }
  return cells;
}

/** The writer's accumulator for a cell body. */
export function decodeCellBody(body: Uint8Array): CellAccumulator {
  return CellAccumulator.read(new ByteReader(body));
}

function readState(r: ByteReader): RollupState {
  const sketch = newSketch();
  const state: RollupState = {
    samples: r.varint(),
    ok: r.varint(),
    reset: r.varint(),
    refused: r.varint(),
    timeout: r.varint(),
    failedOther: r.varint(),
    degraded: r.varint(),
    latCount: r.varint(),
    latSum: r.f64(),
    sketch,
  };
  readSketchBins(
    r,
    (zeros) => sketch.accept(0, zeros),
    (key, count) => acceptBin(sketch, key, count),
  );
  return state;
}

/** Every cell with its full state (library sketches rebuilt). */
export function decodeBlock(buf: Uint8Array): RollupCell[] {
  return decodeBlockLazy(buf).map(({ probeRegion, column, edge, body }) => ({
    probeRegion,
    column,
    edge,
    state: readState(new ByteReader(body!)),
  }));
}

/**
 * Adds each cell into the totals `pick` returns for it (cells it returns undefined for are skipped unread);
 * `index` is the cell's position in its block. Sketch bins are summed into `BinCounts`, from which the
 * reader computes quantiles as a library sketch of them would (see `binQuantile`).
 */
export function addBlockCells(
  buf: Uint8Array,
  pick: (probeRegion: string, column: string, edge: string, index: number) => CellTotals | undefined,
): void {
  const r = open(buf);
  for (let n = r.varint(), i = 0; i < n; i++) {
    const totals = pick(r.str(), r.str(), r.str(), i);
    const length = r.varint();
    const end = r.pos + length;
    if (!totals) {
      r.skip(length);
      continue;
    }
    totals.samples += r.varint();
    totals.ok += r.varint();
    totals.reset += r.varint();
    for (let k = 0; k < 4; k++) r.varint(); // refused, timeout, failedOther, degraded: in no metric yet
    totals.latCount += r.varint();
    totals.latSum += r.f64();
    const bins = totals.bins;
    if (!bins) {
      r.skip(end - r.pos);
      continue;
    }
    // The sketch encoding (`writeSketch`) read inline: no callback per bin.
    totals.zeros += r.varint();
    let key = 0;
    for (let b = r.varint(); b > 0; b--) {
      key += r.zigzag();
      bins.add(key, r.varint());
    }
  }
}

function open(buf: Uint8Array): ByteReader {
  const r = new ByteReader(buf);
  const version = r.byte();
  if (version !== BLOCK_VERSION) throw new Error(`rollup block: unknown version ${version}`);
  return r;
}
