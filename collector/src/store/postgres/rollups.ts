import { type EncodedBlock, mergeBlocks, type RollupDelta, replaceCells } from '../core/rollup-delta.ts';
import { ROLLUP_TIERS, type RollupTier } from '../core/rollup-sample.ts';
import { type Pool, type Queryable, transaction } from './pool.ts';

const TIERS: readonly RollupTier[] = ['minute', 'hour'];

/**
 * Rollups on PostgreSQL as partial rows: a transaction appends the blocks of the results it inserted (same
 * transaction, so a rollback or a crash never leaves counts without results or results without counts), and
 * `compact` later merges the rows of a bucket into one. No write-behind cache and no watermark: several
 * collectors write the same buckets and nothing is read-modified-written outside a row lock.
 */
export class PgRollups {
  constructor(private readonly pool: Pool) {}

  /** Appends the delta's blocks inside the caller's transaction. */
  async append(c: Queryable, delta: RollupDelta): Promise<void> {
    if (delta.size === 0) return;
    const byTier: Record<RollupTier, EncodedBlock[]> = { minute: [], hour: [] };
    for (const b of delta.encoded()) byTier[b.tier].push(b);
    for (const tier of TIERS) {
      const blocks = byTier[tier];
      if (blocks.length === 0) continue;
      await c.query(
        `INSERT INTO ${ROLLUP_TIERS[tier].table} (target, path, protocol, bucket, cells, data)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::int[], $6::bytea[])`,
        [
          blocks.map((b) => b.target),
          blocks.map((b) => b.path),
          blocks.map((b) => b.protocol),
          blocks.map((b) => b.bucket),
          blocks.map((b) => b.cells),
          blocks.map((b) => b.data),
        ],
      );
    }
  }

  /** Bulk path: whole cells replace the same cells of their bucket (other cells of the bucket are kept). */
  async replace(delta: RollupDelta): Promise<void> {
    await transaction(this.pool, async (c) => {
      for (const b of delta.encoded()) {
        const old = await this.take(c, b.tier, b);
        const merged = replaceCells(old, b.data);
        await this.insertOne(c, b.tier, b, merged);
      }
    });
  }

  /**
   * Merges buckets stored as several partial rows into one row each, at most `limit` buckets per tier; returns
   * how many buckets were merged. Safe beside ingest and beside another compactor: the rows merged are the
   * ones this DELETE removed (row locks), and rows appended meanwhile stay for the next run.
   */
  async compact(limit = 200): Promise<number> {
    let merged = 0;
    for (const tier of TIERS) {
      const table = ROLLUP_TIERS[tier].table;
      const { rows } = await this.pool.query<{
        target: string;
        path: string;
        protocol: string;
        bucket: number;
      }>(
        `SELECT target, path, protocol, bucket FROM ${table}
         GROUP BY target, path, protocol, bucket HAVING count(*) > 1 LIMIT $1`,
        [limit],
      );
      for (const key of rows) {
        await transaction(this.pool, async (c) => {
          const old = await this.take(c, tier, key);
          if (old.length === 0) return;
          await this.insertOne(c, tier, key, mergeBlocks(old));
        });
        merged++;
      }
    }
    return merged;
  }

  private async take(
    c: Queryable,
    tier: RollupTier,
    key: { target: string; path: string; protocol: string; bucket: number },
  ): Promise<Buffer[]> {
    const { rows } = await c.query<{ data: Buffer }>(
      `DELETE FROM ${ROLLUP_TIERS[tier].table} WHERE target = $1 AND path = $2 AND protocol = $3 AND bucket = $4
       RETURNING data`,
      [key.target, key.path, key.protocol, key.bucket],
    );
    return rows.map((r) => r.data);
  }

  private async insertOne(
    c: Queryable,
    tier: RollupTier,
    key: { target: string; path: string; protocol: string; bucket: number },
    block: { data: Buffer; cells: number },
  ): Promise<void> {
    await c.query(
      `INSERT INTO ${ROLLUP_TIERS[tier].table} (target, path, protocol, bucket, cells, data) VALUES ($1, $2, $3, $4, $5, $6)`,
      [key.target, key.path, key.protocol, key.bucket, block.cells, block.data],
    );
  }
}
