import type { StoreDialect } from './core/dialect.ts';
import { postgresDialect } from './postgres/dialect.ts';
import { sqliteDialect } from './sqlite/dialect.ts';
import type { Store } from './store.ts';

/** The storage dialects: one folder each, asked in this order which one a FLYPROBE_DATABASE_URL names. */
const DIALECTS = [postgresDialect, sqliteDialect] as const;

/** Where the store lives, as FLYPROBE_DATABASE_URL (or FLYPROBE_DB) says. */
export type StoreLocation = NonNullable<ReturnType<(typeof DIALECTS)[number]['locate']>>;

/**
 * The dialect whose URL this is (`postgres://` or `postgresql://` selects PostgreSQL; `file:<path>` or a plain
 * path selects SQLite). Throws an Error naming the variable for any other scheme (a typo must not silently
 * create a SQLite file).
 */
export function storeLocation(databaseUrl: string): StoreLocation {
  for (const d of DIALECTS) {
    const where = d.locate(databaseUrl);
    if (where) return where;
  }
  throw new Error(
    `FLYPROBE_DATABASE_URL: unsupported scheme in "${databaseUrl.replace(/\/\/[^@/]*@/, '//***@')}" (use ${DIALECTS.map((d) => d.accepts).join(', ')})`,
  );
}

/** Opens the collector's store in the dialect its URL names. */
export async function openStore(settings: { databaseUrl: string }): Promise<Store> {
  const where = storeLocation(settings.databaseUrl);
  const dialect = DIALECTS.find((d) => d.name === where.dialect) as StoreDialect<StoreLocation>;
  return dialect.open(where);
}
