import { ByteReader, ByteWriter } from './bytes.ts';
import { type CellKey, cellKey, rollupColumn } from './cell-key.ts';
import { CellAccumulator } from './rollup-accumulator.ts';
import { decodeBlockLazy, encodeLazyBlock, encodeStateBody, type LazyCell } from './rollup-block.ts';
import {
  ROLLUP_TIERS,
  type RollupDims,
  type RollupInput,
  type RollupState,
  type RollupTier,
} from './rollup-sample.ts';

/** A rollup row written as a whole (bulk import, benchmarks). */
export interface RollupRecord {
  tier: RollupTier;
  dims: RollupDims;
  bucket: number;
  state: RollupState;
}

/** One encoded block: every cell of one (target, path, protocol) and bucket that this delta touched. */
export interface EncodedBlock {
  tier: RollupTier;
  target: string;
  path: string;
  protocol: string;
  bucket: number;
  cells: number;
  data: Buffer;
}

interface DeltaBlock {
  tier: RollupTier;
  target: string;
  path: string;
  protocol: string;
  bucket: number;
  cells: Map<CellKey, LazyCell>;
}

/**
 * The rollup increments of one transaction's results, as blocks to store as partial rows beside the rows
 * other writers stored for the same buckets. Readers sum every row of a bucket (blocks add up exactly), so
 * several collectors can write the same minute without a read-modify-write race; `mergeBlocks` compacts.
 */
export class RollupDelta {
  private readonly blocks = new Map<string, DeltaBlock>();

  add(input: RollupInput): void {
    const column = rollupColumn(input);
    const edge = input.edgeRegion ?? '';
    for (const tier of ['minute', 'hour'] as const) {
      const ms = ROLLUP_TIERS[tier].ms;
      const block = this.block(
        tier,
        input.target,
        input.path,
        input.protocol,
        Math.floor(input.startedAt / ms) * ms,
      );
      const key = cellKey(input.probeRegion, column, edge);
      let cell = block.cells.get(key);
      if (!cell) {
        cell = { probeRegion: input.probeRegion, column, edge, acc: new CellAccumulator(), body: undefined };
        block.cells.set(key, cell);
      }
      cell.acc?.add(input.outcome, input.latencyMs, input.degraded);
    }
  }

  /** A whole cell (bulk import); replaces what this delta holds for it. */
  set(record: RollupRecord): void {
    const { dims } = record;
    const ms = ROLLUP_TIERS[record.tier].ms;
    const block = this.block(
      record.tier,
      dims.target,
      dims.path,
      dims.protocol,
      Math.floor(record.bucket / ms) * ms,
    );
    block.cells.set(cellKey(dims.probeRegion, dims.column, dims.edge), {
      probeRegion: dims.probeRegion,
      column: dims.column,
      edge: dims.edge,
      acc: undefined,
      body: encodeStateBody(record.state),
    });
  }

  get size(): number {
    return this.blocks.size;
  }

  /** Every touched block, encoded (each a fresh buffer). */
  *encoded(): Iterable<EncodedBlock> {
    const w = new ByteWriter();
    for (const b of this.blocks.values()) {
      const data = Buffer.from(encodeLazyBlock(w, b.cells.values(), b.cells.size));
      yield {
        tier: b.tier,
        target: b.target,
        path: b.path,
        protocol: b.protocol,
        bucket: b.bucket,
        cells: b.cells.size,
        data,
      };
    }
  }

  private block(
    tier: RollupTier,
    target: string,
    path: string,
    protocol: string,
    bucket: number,
  ): DeltaBlock {
    const k = `${tier}\n${target}\n${path}\n${protocol}\n${bucket}`;
    let b = this.blocks.get(k);
    if (!b) {
      b = { tier, target, path, protocol, bucket, cells: new Map() };
      this.blocks.set(k, b);
    }
    return b;
  }
}

/** Sums blocks of the same bucket cell by cell into one block (compaction of partial rows). */
export function mergeBlocks(blocks: readonly Uint8Array[]): { data: Buffer; cells: number } {
  const cells = new Map<CellKey, LazyCell>();
  for (const data of blocks) addInto(cells, data);
  return encodeCells(cells);
}

/** `blocks` summed, then every cell of `replacement` put in place of the same cell (bulk import). */
export function replaceCells(
  blocks: readonly Uint8Array[],
  replacement: Uint8Array,
): { data: Buffer; cells: number } {
  const cells = new Map<CellKey, LazyCell>();
  for (const data of blocks) addInto(cells, data);
  for (const c of decodeBlockLazy(replacement)) cells.set(cellKey(c.probeRegion, c.column, c.edge), c);
  return encodeCells(cells);
}

function addInto(cells: Map<CellKey, LazyCell>, data: Uint8Array): void {
  for (const c of decodeBlockLazy(data)) {
    const key = cellKey(c.probeRegion, c.column, c.edge);
    let into = cells.get(key);
    if (!into) {
      into = {
        probeRegion: c.probeRegion,
        column: c.column,
        edge: c.edge,
        acc: new CellAccumulator(),
        body: undefined,
      };
      cells.set(key, into);
    }
    into.acc?.addBody(new ByteReader(c.body as Uint8Array));
  }
}

function encodeCells(cells: Map<CellKey, LazyCell>): { data: Buffer; cells: number } {
  return {
    data: Buffer.from(encodeLazyBlock(new ByteWriter(), cells.values(), cells.size)),
    cells: cells.size,
  };
}
