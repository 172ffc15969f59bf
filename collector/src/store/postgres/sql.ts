import { numberedPlaceholders, type Sql } from '../core/sql.ts';
import { type Pool, transaction } from './pool.ts';

/** Core's `Sql` on the pool: `?` placeholders numbered, a batch in one transaction on one client. */
export function pgSql(pool: Pool): Sql {
  return {
    all: async <R>(sql: string, params: readonly unknown[] = []) =>
      (await pool.query(numberedPlaceholders(sql), [...params])).rows as R[],
    run: async (sql, params = []) => (await pool.query(numberedPlaceholders(sql), [...params])).rowCount ?? 0,
    batch: (statements) =>
      transaction(pool, async (c) => {
        const changed: number[] = [];
        for (const [sql, params] of statements)
          changed.push((await c.query(numberedPlaceholders(sql), [...params])).rowCount ?? 0);
        return changed;
      }),
  };
}
