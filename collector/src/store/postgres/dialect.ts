import type { StoreDialect } from '../core/dialect.ts';
import { openPostgresStore } from './lazy.ts';

export interface PostgresLocation {
  dialect: 'postgres';
  url: string;
}

/** `postgres://` or `postgresql://`: a PostgreSQL database several collectors share. */
export const postgresDialect: StoreDialect<PostgresLocation> = {
  name: 'postgres',
  accepts: 'postgres://',
  locate: (databaseUrl) =>
    /^postgres(ql)?:\/\//i.test(databaseUrl) ? { dialect: 'postgres', url: databaseUrl } : undefined,
  open: (where) => openPostgresStore({ url: where.url }),
};
