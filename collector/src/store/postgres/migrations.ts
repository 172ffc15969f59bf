import { type Migration, pendingMigrations } from '../core/migrations.ts';
import { type Pool, transaction } from './pool.ts';

/** Key of the advisory lock that serializes migrations of collectors starting at the same time. */
const MIGRATION_LOCK = 0x666c7970; // 'flyp'

/**
 * PostgreSQL's `runMigrations` (same table, same rules as SQLite's): one transaction under a transaction-level
 * advisory lock, so two collectors starting together apply each migration once and a failure applies nothing.
 */
export async function runPgMigrations(
  pool: Pool,
  component: string,
  migrations: readonly Migration[],
): Promise<number[]> {
  pendingMigrations(component, migrations, new Map());
  return transaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      component TEXT NOT NULL,
      id INTEGER NOT NULL,
      name TEXT NOT NULL,
      applied_at BIGINT NOT NULL,
      PRIMARY KEY (component, id)
    )`);
    const rows = await c.query<{ id: number; name: string }>(
      'SELECT id, name FROM schema_migrations WHERE component = $1',
      [component],
    );
    const applied = new Map(rows.rows.map((r) => [r.id, r.name]));
    const done: number[] = [];
    for (const m of pendingMigrations(component, migrations, applied)) {
      await c.query(m.sql);
      await c.query(
        'INSERT INTO schema_migrations (component, id, name, applied_at) VALUES ($1, $2, $3, $4)',
        [component, m.id, m.name, Date.now()],
      );
      done.push(m.id);
    }
    return done;
  });
}
