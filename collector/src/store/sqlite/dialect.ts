import type { StoreDialect } from '../core/dialect.ts';
import { openSqliteStore } from './sqlite-store.ts';

export interface SqliteLocation {
  dialect: 'sqlite';
  path: string;
}

/** `file:<path>` or a plain path (no `scheme://`): one SQLite file, the embedded default. */
export const sqliteDialect: StoreDialect<SqliteLocation> = {
  name: 'sqlite',
  accepts: 'file: or a path',
  locate(databaseUrl) {
    if (databaseUrl.startsWith('file:')) {
      const path = databaseUrl.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
      if (!path) throw new Error('FLYPROBE_DATABASE_URL: file: needs a path, e.g. file:/data/flyprobe.db');
      return { dialect: 'sqlite', path };
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(databaseUrl)) return undefined;
    return { dialect: 'sqlite', path: databaseUrl };
  },
  open: (where) => openSqliteStore({ path: where.path }),
};
