import type { PostgresStore, PostgresStoreOptions } from './postgres-store.ts';

/**
 * openPostgresStore, loading the PostgreSQL store (and pg) only when a collector opens one: a SQLite collector
 * never reads their source (V8 keeps the source of every loaded module).
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  return (await import('./postgres-store.ts')).openPostgresStore(options);
}
