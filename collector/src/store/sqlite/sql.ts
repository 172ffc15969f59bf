import type { Database, Statement } from 'better-sqlite3';
import type { Sql } from '../core/sql.ts';

/** Core's `Sql` on a better-sqlite3 handle: statements prepared once (a fixed set), transactions synchronous. */
export function sqliteSql(db: Database): Sql {
  const prepared = new Map<string, Statement>();
  const prepare = (sql: string) => {
    let stmt = prepared.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      prepared.set(sql, stmt);
    }
    return stmt;
  };
  return {
    all: async <R>(sql: string, params: readonly unknown[] = []) => prepare(sql).all(...params) as R[],
    run: async (sql, params = []) => prepare(sql).run(...params).changes,
    batch: async (statements) =>
      db.transaction(() => statements.map(([sql, params]) => prepare(sql).run(...params).changes))(),
  };
}
