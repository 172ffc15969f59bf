import type { MatrixCell, SeriesPoint } from '@flyprobe/shared';
import type { Database, Statement } from 'better-sqlite3';
import {
  type BlockRange,
  type BlockRows,
  matrixFromBlocks,
  matrixRange,
  type SeriesQuery,
  seriesFromBlocks,
  seriesRange,
} from '../core/rollup-read.ts';
import { ROLLUP_TIERS, type RollupTier } from '../core/rollup-sample.ts';
import type { CellQuery } from '../store.ts';

/** Matrices and series from the SQLite rollup tables (one block row per bucket). */
export class RollupReader {
  private readonly statements = new Map<RollupTier, Statement>();

  constructor(private readonly db: Database) {}

  matrix(q: CellQuery): MatrixCell[] {
    return matrixFromBlocks(q.metric, this.rows(q, matrixRange(q)));
  }

  series(q: SeriesQuery): SeriesPoint[] {
    const range = seriesRange(q);
    return seriesFromBlocks(q, range, this.rows(q, range));
  }

  private rows(q: CellQuery, range: BlockRange): BlockRows {
    let stmt = this.statements.get(range.tier);
    if (!stmt) {
      stmt = this.db
        .prepare(
          `SELECT bucket, data FROM ${ROLLUP_TIERS[range.tier].table}
           WHERE target = ? AND path = ? AND protocol = ? AND bucket >= ? AND bucket < ?`,
        )
        .raw(true);
      this.statements.set(range.tier, stmt);
    }
    return stmt.iterate(q.target, q.path, q.protocol, range.from, range.to) as IterableIterator<
      [number, Buffer]
    >;
  }
}
