import type { Database, Statement as Prepared } from 'better-sqlite3';
import type { Sql, Statement } from '../core/sql.ts';

/** Each statement text prepared once on `db`: the stores' texts are a fixed set. */
export function preparedOnce(db: Database): (sql: string) => Prepared {
  const prepared = new Map<string, Prepared>();
  return (sql) => {
    let stmt = prepared.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      prepared.set(sql, stmt);
    }
    return stmt;
  };
}

/** Runs core statements in order (inside the caller's transaction); returns each one's changed rows. */
export function runStatements(
  prepare: (sql: string) => Prepared,
  statements: readonly Statement[],
): number[] {
  return statements.map(([sql, params]) => prepare(sql).run(...params).changes);
}

/** Core's `Sql` on a better-sqlite3 handle: statements prepared once, transactions synchronous. */
export function sqliteSql(db: Database): Sql {
  const prepare = preparedOnce(db);
  return {
    all: async <R>(sql: string, params: readonly unknown[] = []) => prepare(sql).all(...params) as R[],
    run: async (sql, params = []) => prepare(sql).run(...params).changes,
    batch: async (statements) => db.transaction(() => runStatements(prepare, statements))(),
  };
}
