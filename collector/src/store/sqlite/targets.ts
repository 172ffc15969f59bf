import type { TargetConfig } from '@flyprobe/shared';
import type { Database, Statement } from 'better-sqlite3';
import type { TargetDocument } from '../core/store-base.ts';
import { type TargetsRow, targetsFromRow, targetsRow } from '../core/targets.ts';

/** The targets document: one row, replaced as a whole (document and revision in core/targets.ts). */
export class TargetTable implements TargetDocument {
  private readonly select: Statement;
  private readonly upsert: Statement;

  constructor(db: Database) {
    this.select = db.prepare('SELECT revision, document FROM targets WHERE id = 1');
    this.upsert = db.prepare(
      `INSERT INTO targets (id, revision, document, updated_at) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, document = excluded.document, updated_at = excluded.updated_at`,
    );
  }

  get(): { revision: string; targets: TargetConfig[] } {
    return targetsFromRow(this.select.get() as TargetsRow | undefined);
  }

  put(targets: readonly TargetConfig[], now: number): { revision: string } {
    const row = targetsRow(targets);
    this.upsert.run(row.revision, row.document, now);
    return { revision: row.revision };
  }
}
