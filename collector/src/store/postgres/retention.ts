import { retentionAges } from '../core/retention-policy.ts';
import { ROLLUP_TIERS } from '../core/rollup-sample.ts';
import type { RetentionPolicy } from '../store.ts';
import type { Queryable } from './pool.ts';

/** Rows per DELETE: each statement is its own short transaction, so ingest never queues behind a prune. */
export const PG_PRUNE_CHUNK = 5000;

/** Deletes raw results and rollup rows past retention in chunks; returns rows deleted (rollups as cells). */
export async function prunePg(
  c: Queryable,
  now: number,
  policy: RetentionPolicy,
  isOpen: () => boolean,
): Promise<{ raw: number; rollups: number }> {
  const ages = retentionAges(policy);
  let raw = 0;
  for (;;) {
    if (!isOpen()) return { raw, rollups: 0 };
    const r = await c.query(
      'DELETE FROM results WHERE id IN (SELECT id FROM results WHERE started_at < $1 ORDER BY started_at LIMIT $2)',
      [now - ages.rawMs, PG_PRUNE_CHUNK],
    );
    raw += r.rowCount ?? 0;
    if ((r.rowCount ?? 0) < PG_PRUNE_CHUNK) break;
  }
  let rollups = 0;
  for (const [tier, keepMs] of [
    ['minute', ages.minuteMs],
    ['hour', ages.hourMs],
  ] as const) {
    const table = ROLLUP_TIERS[tier].table;
    for (;;) {
      if (!isOpen()) return { raw, rollups };
      const r = await c.query<{ cells: number }>(
        `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE bucket < $1 LIMIT $2) RETURNING cells`,
        [now - keepMs, PG_PRUNE_CHUNK / 50],
      );
      for (const row of r.rows) rollups += row.cells;
      if (r.rows.length < PG_PRUNE_CHUNK / 50) break;
    }
  }
  return { raw, rollups };
}
