import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

/** Where the store lives, as FLYPROBE_DATABASE_URL (or FLYPROBE_DB) says. */
export type StoreLocation = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

/**
 * `postgres://` or `postgresql://` selects PostgreSQL; `file:<path>` or a plain path selects SQLite. Throws
 * an Error naming the variable for any other scheme (a typo must not silently create a SQLite file).
 */
export function storeLocation(databaseUrl: string): StoreLocation {
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) return { dialect: 'postgres', url: databaseUrl };
  if (databaseUrl.startsWith('file:')) {
    const path = databaseUrl.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new Error('FLYPROBE_DATABASE_URL: file: needs a path, e.g. file:/data/flyprobe.db');
    return { dialect: 'sqlite', path };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(databaseUrl))
    throw new Error(
      `FLYPROBE_DATABASE_URL: unsupported scheme in "${databaseUrl.replace(/\/\/[^@/]*@/, '//***@')}" (use postgres://, file: or a path)`,
    );
  return { dialect: 'sqlite', path: databaseUrl };
}

/** Opens the collector's store: SQLite (embedded default) or PostgreSQL (several collectors). */
export async function openStore(settings: { databaseUrl: string }): Promise<Store> {
  const where = storeLocation(settings.databaseUrl);
  return where.dialect === 'postgres'
    ? openPostgresStore({ url: where.url })
    : openSqliteStore({ path: where.path });
}
