import type { Database } from 'better-sqlite3';

export interface Migration {
  /** Positive, unique within a component, applied in ascending order. */
  id: number;
  name: string;
  sql: string;
}

/**
 * Applies a component's migrations that are not yet recorded in `schema_migrations`, each in its own
 * transaction together with its record, so a crash leaves every migration either fully applied or not at all.
 * Components (store, alerts, ...) share the table and are told apart by `component`. Returns the ids applied now.
 */
export function runMigrations(db: Database, component: string, migrations: readonly Migration[]): number[] {
  if (!component) throw new Error('runMigrations: component must not be empty');
  const seen = new Set<number>();
  for (const m of migrations) {
    if (!Number.isInteger(m.id) || m.id <= 0)
      throw new Error(`migration ${component}/${m.id}: id must be a positive integer`);
    if (seen.has(m.id)) throw new Error(`migration ${component}/${m.id}: duplicate id`);
    seen.add(m.id);
  }
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
  for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
    const previous = applied.get(m.id);
    if (previous !== undefined) {
      // A renamed migration usually means two branches reused an id: refuse rather than skip silently.
      if (previous !== m.name)
        throw new Error(
          `migration ${component}/${m.id}: recorded as "${previous}" but now named "${m.name}"`,
        );
      continue;
    }
    db.transaction(() => {
      db.exec(m.sql);
      record.run(component, m.id, m.name, Date.now());
    })();
    done.push(m.id);
  }
  return done;
}
