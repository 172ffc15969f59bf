import type { MatrixCell, SeriesPoint } from '@flyprobe/shared';
import type { CellQuery } from '../store.ts';
import { MatrixFolds } from './matrix-folds.ts';
import { MatrixScratch } from './matrix-scratch.ts';
import {
  type BlockRows,
  matrixFromBlocks,
  matrixRange,
  needsSketch,
  type SeriesQuery,
  seriesFromBlocks,
  seriesRange,
} from './rollup-read.ts';
import { ROLLUP_TIERS } from './rollup-sample.ts';

/** What a read selects: the block rows of one (target, path, protocol) with bucket starts in [from, to). */
export interface BlockSelect {
  table: (typeof ROLLUP_TIERS)[keyof typeof ROLLUP_TIERS]['table'];
  target: string;
  path: string;
  protocol: string;
  from: number;
  to: number;
  /**
   * Blocks the reader already holds, in bucket order (a kept fold's): a row byte-equal to the known block of
   * its bucket may be answered with that very array instead of a fresh copy. Dialects may ignore it.
   */
  known?: KnownBlocks | undefined;
}

/** Blocks read before, as (bucket, bytes) in bucket order. */
export interface KnownBlocks {
  buckets: readonly number[];
  blocks: readonly Uint8Array[];
}

/**
 * A dialect's one part of reading rollups: the rows of a `BlockSelect` as (bucket, block), in bucket order
 * (several rows of one bucket, PostgreSQL's partial rows, are summed like any others).
 */
export type SelectBlocks = (select: BlockSelect) => BlockRows | Promise<BlockRows>;

/** Statement text of `SelectBlocks`, placeholders written by the dialect (`?` or `$n`). */
export function selectBlocksSql(table: BlockSelect['table'], p: (n: number) => string): string {
  return `SELECT bucket, data FROM ${table}
    WHERE target = ${p(1)} AND path = ${p(2)} AND protocol = ${p(3)} AND bucket >= ${p(4)} AND bucket < ${p(5)}
    ORDER BY bucket`;
}

/** Matrices and series from rollup blocks, whichever dialect stores them. */
export class RollupReads {
  private readonly folds: MatrixFolds;
  private readonly scratch = new MatrixScratch();

  constructor(
    private readonly select: SelectBlocks,
    options: { foldBytes?: number } = {},
  ) {
    this.folds = new MatrixFolds(options.foldBytes);
  }

  async matrix(q: CellQuery): Promise<MatrixCell[]> {
    const range = matrixRange(q);
    const table = ROLLUP_TIERS[range.tier].table;
    const key = `${table}\n${q.target}\n${q.path}\n${q.protocol}\n${needsSketch(q.metric)}`;
    // A window moved by whole buckets still reads most of the blocks the fold kept.
    const known = this.folds.peek(key);
    const rows = await this.select({ ...q, table, from: range.from, to: range.to, known });
    return matrixFromBlocks(q.metric, rows, { folds: this.folds, key, from: range.from }, this.scratch);
  }

  async series(q: SeriesQuery): Promise<SeriesPoint[]> {
    const range = seriesRange(q);
    const table = ROLLUP_TIERS[range.tier].table;
    return seriesFromBlocks(q, range, await this.select({ ...q, table, from: range.from, to: range.to }));
  }
}
