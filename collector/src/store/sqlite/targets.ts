import type { TargetConfig } from '@flyprobe/shared';
import type { Database, Statement } from 'better-sqlite3';
import { targetsRevision } from '../core/targets.ts';

/** The targets document: one row, replaced as a whole; an absent row reads as an empty list. */
export class TargetTable {
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
    const row = this.select.get() as { revision: string; document: string } | undefined;
    if (!row) return { revision: targetsRevision('[]'), targets: [] };
    return { revision: row.revision, targets: JSON.parse(row.document) as TargetConfig[] };
  }

  put(targets: readonly TargetConfig[], now: number): { revision: string } {
    const json = JSON.stringify(targets);
    const revision = targetsRevision(json);
    this.upsert.run(revision, json, now);
    return { revision };
  }
}
