export { type Migration, runMigrations } from './sqlite/migrations.ts';
export { openDatabase } from './sqlite/open.ts';
export {
  emptyRollupState,
  type RollupDims,
  type RollupState,
  type RollupTier,
} from './sqlite/rollup-sample.ts';
export type { RollupRecord } from './sqlite/rollup-writer.ts';
export { SKETCH_RELATIVE_ACCURACY } from './sqlite/sketch.ts';
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.ts';
export * from './store.ts';
export * from './window.ts';
