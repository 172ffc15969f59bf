export type { RollupRecord } from './core/rollup-delta.ts';
export {
  emptyRollupState,
  type RollupDims,
  type RollupState,
  type RollupTier,
} from './core/rollup-sample.ts';
export { SKETCH_RELATIVE_ACCURACY } from './core/sketch.ts';
export * from './core/window.ts';
export { openStore, type StoreLocation, storeLocation } from './open-store.ts';
export { openPostgresStore } from './postgres/lazy.ts';
export type { PostgresStore, PostgresStoreOptions } from './postgres/postgres-store.ts';
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.ts';
export * from './store.ts';
