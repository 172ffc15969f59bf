import type { TargetConfig } from '@flyprobe/shared';
import { targetsRevision } from '../core/targets.ts';
import type { Queryable } from './pool.ts';

/** The targets document on PostgreSQL: one row, replaced as a whole; an absent row reads as an empty list. */
export async function getTargets(c: Queryable): Promise<{ revision: string; targets: TargetConfig[] }> {
  const { rows } = await c.query<{ revision: string; document: string }>(
    'SELECT revision, document FROM targets WHERE id = 1',
  );
  const row = rows[0];
  if (!row) return { revision: targetsRevision('[]'), targets: [] };
  return { revision: row.revision, targets: JSON.parse(row.document) as TargetConfig[] };
}

export async function putTargets(
  c: Queryable,
  targets: readonly TargetConfig[],
  now: number,
): Promise<{ revision: string }> {
  const json = JSON.stringify(targets);
  const revision = targetsRevision(json);
  await c.query(
    `INSERT INTO targets (id, revision, document, updated_at) VALUES (1, $1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, document = excluded.document, updated_at = excluded.updated_at`,
    [revision, json, now],
  );
  return { revision };
}
