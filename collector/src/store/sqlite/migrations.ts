import type { Database } from 'better-sqlite3';
import { type Migration, pendingMigrations } from '../core/migrations.ts';

export type { Migration } from '../core/migrations.ts';

/**
 * Applies a component's migrations that are not yet recorded in `schema_migrations`, each in its own
 * transaction together with its record, so a crash leaves every migration either fully applied or not at all.
 * Components (store, alerts, ...) share the table and are told apart by `component`. Returns the ids applied now.
 */
export function runMigrations(db: Database, component: string, migrations: readonly Migration[]): number[] {
  pendingMigrations(component, migrations, new Map());
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    component TEXT NOT NULL,
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (component, id)
  ) WITHOUT ROWID`);
  const applied = new Map<number, string>();
  for (const row of db
    .prepare('SELECT id, name FROM schema_migrations WHERE component = ?')
    .all(component) as { id: number; name: string }[]) {
    applied.set(row.id, row.name);
  }
  const record = db.prepare(
    'INSERT INTO schema_migrations (component, id, name, applied_at) VALUES (?, ?, ?, ?)',
  );
  const done: number[] = [];
  for (const m of pendingMigrations(component, migrations, applied)) {
    db.transaction(() => {
      db.exec(m.sql);
      record.run(component, m.id, m.name, Date.now());
    })();
    done.push(m.id);
  }
  return done;
}
