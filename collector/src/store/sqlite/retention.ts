import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Database, Statement } from 'better-sqlite3';
import { retentionAges } from '../core/retention-policy.ts';
import { ROLLUP_TIERS, type RollupTier } from '../core/rollup-sample.ts';
import type { RetentionPolicy } from '../store.ts';
import type { RollupWriter } from './rollup-writer.ts';

/** Rows per DELETE statement: a few milliseconds of write lock, so an ingest batch never waits long. */
export const PRUNE_CHUNK = 5000;
/** Rollup blocks per delete transaction: a block holds up to a few hundred cells, so ~5,000 rollup rows. */
export const PRUNE_BLOCK_CHUNK = 20;

/**
 * Deletes raw results and rollups past retention, one small statement at a time with a yield to the event
 * loop between statements, so ingest transactions interleave with a long prune instead of queueing behind it.
 */
export class Retention {
  private readonly deleteRaw: Statement;
  private readonly oldBlocks: Record<RollupTier, Statement>;
  private readonly deleteBlock: Record<RollupTier, Statement>;

  constructor(
    private readonly db: Database,
    private readonly rollups: RollupWriter,
    private readonly isOpen: () => boolean,
  ) {
    this.deleteRaw = db.prepare(
      'DELETE FROM results WHERE id IN (SELECT id FROM results WHERE started_at < ? ORDER BY started_at LIMIT ?)',
    );
    const old = (tier: RollupTier) =>
      db
        .prepare(`SELECT id, cells FROM ${ROLLUP_TIERS[tier].table} WHERE bucket < ? ORDER BY bucket LIMIT ?`)
        .raw(true);
    const del = (tier: RollupTier) => db.prepare(`DELETE FROM ${ROLLUP_TIERS[tier].table} WHERE id = ?`);
    this.oldBlocks = { minute: old('minute'), hour: old('hour') };
    this.deleteBlock = { minute: del('minute'), hour: del('hour') };
  }

  async prune(now: number, policy: RetentionPolicy): Promise<{ raw: number; rollups: number }> {
    const ages = retentionAges(policy);
    let raw = 0;
    for (;;) {
      if (!this.isOpen()) return { raw, rollups: 0 };
      // Raw rows are the rollups' source of truth until folded and flushed; never delete one before that.
      this.rollups.flush(now);
      const n = this.deleteRaw.run(now - ages.rawMs, PRUNE_CHUNK).changes;
      raw += n;
      if (n < PRUNE_CHUNK) break;
      await yieldToEventLoop();
    }
    let rollups = 0;
    for (const [tier, keepMs] of [
      ['minute', ages.minuteMs],
      ['hour', ages.hourMs],
    ] as const) {
      rollups += await this.pruneTier(tier, now - keepMs, now);
    }
    return { raw, rollups };
  }

  /** Deletes whole blocks (one per target, path, protocol and bucket); counts the cells (rollup rows) they held. */
  private async pruneTier(tier: RollupTier, cutoff: number, now: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      if (!this.isOpen()) return deleted;
      this.rollups.flush(now);
      this.rollups.forgetBefore(tier, cutoff);
      const blocks = this.oldBlocks[tier].all(cutoff, PRUNE_BLOCK_CHUNK) as [number, number][];
      this.db.transaction(() => {
        for (const [id] of blocks) this.deleteBlock[tier].run(id);
      })();
      for (const [, cells] of blocks) deleted += cells;
      if (blocks.length < PRUNE_BLOCK_CHUNK) return deleted;
      await yieldToEventLoop();
    }
  }
}
