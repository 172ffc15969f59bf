import type { TargetConfig } from '@flyprobe/shared';
import type { TargetDocument } from '../core/store-base.ts';
import { type TargetsRow, targetsFromRow, targetsRow } from '../core/targets.ts';
import type { Queryable } from './pool.ts';

/** The targets document on PostgreSQL: one row, replaced as a whole (document and revision in core/targets.ts). */
export class PgTargets implements TargetDocument {
  constructor(private readonly c: Queryable) {}

  async get(): Promise<{ revision: string; targets: TargetConfig[] }> {
    const { rows } = await this.c.query<TargetsRow>('SELECT revision, document FROM targets WHERE id = 1');
    return targetsFromRow(rows[0]);
  }

  async put(targets: readonly TargetConfig[], now: number): Promise<{ revision: string }> {
    const row = targetsRow(targets);
    await this.c.query(
      `INSERT INTO targets (id, revision, document, updated_at) VALUES (1, $1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, document = excluded.document, updated_at = excluded.updated_at`,
      [row.revision, row.document, now],
    );
    return { revision: row.revision };
  }
}
