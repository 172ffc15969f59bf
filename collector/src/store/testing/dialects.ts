import Database from 'better-sqlite3';
import pg from 'pg';
import { openPostgresStore } from '../postgres/postgres-store.ts';
import { openSqliteStore } from '../sqlite/sqlite-store.ts';
import type { Dialect, Store } from '../store.ts';
import { tempDir } from './fixtures.ts';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from './postgres-server.ts';

/** One empty database of a dialect: open (and reopen after close) stores on it, and read its tables directly. */
export interface TestDatabase {
  open(options?: { now?: () => number }): Promise<Store>;
  /** Rows of a plain SELECT, as arrays (checks that look past the Store interface). */
  rows(sql: string): Promise<unknown[][]>;
}

/** A dialect the contract suite runs against. */
export interface StoreHarness {
  dialect: Dialect;
  /** Why this dialect's tests are skipped here, or null. */
  skip: string | null;
  /** A fresh, empty database. */
  database(name: string): Promise<TestDatabase>;
  cleanup(): Promise<void>;
}

function sqliteHarness(): StoreHarness {
  const tmp = tempDir();
  return {
    dialect: 'sqlite',
    skip: null,
    async database(name) {
      const path = tmp.db(name);
      return {
        open: (options) => openSqliteStore({ path, ...options }),
        async rows(sql) {
          const db = new Database(path, { readonly: true });
          try {
            return db.prepare(sql).raw(true).all() as unknown[][];
          } finally {
            db.close();
          }
        },
      };
    },
    async cleanup() {
      tmp.cleanup();
    },
  };
}

function postgresHarness(): StoreHarness {
  let server: Promise<TestPostgres> | undefined;
  return {
    dialect: 'postgres',
    skip: postgresUnavailable(),
    async database(name) {
      server ??= startTestPostgres();
      const url = await (await server).createDatabase(name);
      return {
        // Compaction off: tests call compactRollups themselves, so row counts do not depend on timing.
        open: (options) => openPostgresStore({ url, compactMs: 0, ...options }),
        async rows(sql) {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            return (await client.query<unknown[]>({ text: sql, rowMode: 'array' })).rows;
          } finally {
            await client.end();
          }
        },
      };
    },
    async cleanup() {
      if (server) await (await server).stop();
    },
  };
}

/**
 * Every dialect, for `describe.each`: the same test bodies run on SQLite and on a real PostgreSQL server
 * (skipped with the reason when none can be started here).
 */
export function storeHarnesses(): StoreHarness[] {
  return [sqliteHarness(), postgresHarness()];
}
