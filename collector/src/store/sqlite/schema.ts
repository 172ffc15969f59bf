import { perRollupTable } from '../core/rollup-sample.ts';
import type { Migration } from './migrations.ts';

/**
 * One table per rollup tier, alike: one row per (target, path, protocol, bucket) holding every (probe region,
 * column, edge) cell, see rollup-block.ts.
 */
const ROLLUP_TABLES = perRollupTable(
  (table) => `CREATE TABLE ${table} (
  id INTEGER PRIMARY KEY,
  target TEXT NOT NULL,
  path TEXT NOT NULL,
  protocol TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  cells INTEGER NOT NULL,
  data BLOB NOT NULL,
  UNIQUE (target, path, protocol, bucket)
);
CREATE INDEX ${table}_bucket ON ${table} (bucket);`,
);

/** Component name of the store's own migrations in `schema_migrations`. */
export const STORE_COMPONENT = 'store';

/**
 * The store's tables. Raw results reference their (probe id, boot id) through a small integer so the
 * idempotency key and its unique index stay narrow. Rollups are stored as blocks (rollup-block.ts).
 */
export const STORE_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'initial',
    sql: `
CREATE TABLE probe_boots (
  id INTEGER PRIMARY KEY,
  probe_id TEXT NOT NULL,
  boot_id TEXT NOT NULL,
  UNIQUE (probe_id, boot_id)
);

-- AUTOINCREMENT: ids are never reused after retention empties the table, which the rollup watermark relies on.
CREATE TABLE results (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  boot_key INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  probe_region TEXT NOT NULL,
  target TEXT NOT NULL,
  path TEXT NOT NULL,
  protocol TEXT NOT NULL,
  target_region TEXT,
  started_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  latency_ms REAL,
  edge_region TEXT,
  served_region TEXT,
  degraded INTEGER,
  extra TEXT NOT NULL,
  UNIQUE (boot_key, seq)
);
CREATE INDEX results_started_at ON results (started_at);

${ROLLUP_TABLES}

CREATE TABLE store_meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE probes (
  probe_id TEXT PRIMARY KEY,
  region TEXT NOT NULL,
  machine_id TEXT NOT NULL,
  app TEXT,
  version TEXT NOT NULL,
  boot_id TEXT NOT NULL,
  image_ref TEXT,
  echo_address TEXT,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  degraded INTEGER NOT NULL,
  degraded_reason TEXT,
  health TEXT
);

CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('probe', 'read', 'admin')),
  probe_id TEXT,
  name TEXT,
  secret_hash BLOB NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);

CREATE TABLE targets (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  revision TEXT NOT NULL,
  document TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
`,
  },
  {
    id: 2,
    name: 'token-binding-and-expiry',
    sql: `
ALTER TABLE tokens ADD COLUMN app TEXT;
ALTER TABLE tokens ADD COLUMN region TEXT;
ALTER TABLE tokens ADD COLUMN expires_at INTEGER;
`,
  },
];
