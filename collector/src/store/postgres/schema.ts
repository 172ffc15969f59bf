import type { Migration } from '../core/migrations.ts';
import { perRollupTable } from '../core/rollup-sample.ts';

/** One table per rollup tier, alike: partial block rows (no unique key), see below. */
const ROLLUP_TABLES = perRollupTable(
  (table) => `CREATE TABLE ${table} (
  id BIGSERIAL PRIMARY KEY,
  target TEXT NOT NULL,
  path TEXT NOT NULL,
  protocol TEXT NOT NULL,
  bucket BIGINT NOT NULL,
  cells INTEGER NOT NULL,
  data BYTEA NOT NULL
);
CREATE INDEX ${table}_key ON ${table} (target, path, protocol, bucket);
CREATE INDEX ${table}_bucket ON ${table} (bucket);`,
);

/**
 * The store's tables on PostgreSQL: the SQLite layout (sqlite/schema.ts) with three differences that let
 * several collectors share them. Results carry the id of the transaction that wrote them (`txid`), so a
 * detector leader can follow every collector's commits in commit order (see PostgresStore.resultsAfter).
 * Rollup tables hold partial rows (no unique key): each transaction appends the blocks of its own results,
 * readers sum all rows of a bucket, and compaction merges them, so two collectors never overwrite each
 * other's counts. Times are BIGINT milliseconds as on SQLite; the lease expiry uses the database clock.
 */
export const PG_STORE_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'initial',
    sql: `
CREATE TABLE probe_boots (
  id BIGSERIAL PRIMARY KEY,
  probe_id TEXT NOT NULL,
  boot_id TEXT NOT NULL,
  UNIQUE (probe_id, boot_id)
);

CREATE TABLE results (
  id BIGSERIAL PRIMARY KEY,
  boot_key BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  probe_region TEXT NOT NULL,
  target TEXT NOT NULL,
  path TEXT NOT NULL,
  protocol TEXT NOT NULL,
  target_region TEXT,
  started_at BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  outcome TEXT NOT NULL,
  latency_ms DOUBLE PRECISION,
  edge_region TEXT,
  served_region TEXT,
  degraded SMALLINT,
  extra TEXT NOT NULL,
  txid XID8 NOT NULL DEFAULT pg_current_xact_id(),
  UNIQUE (boot_key, seq)
);
CREATE INDEX results_started_at ON results (started_at);
CREATE INDEX results_txid ON results (txid, id);

${ROLLUP_TABLES}

CREATE TABLE probes (
  probe_id TEXT PRIMARY KEY,
  region TEXT NOT NULL,
  machine_id TEXT NOT NULL,
  app TEXT,
  version TEXT NOT NULL,
  boot_id TEXT NOT NULL,
  image_ref TEXT,
  echo_address TEXT,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  degraded SMALLINT NOT NULL,
  degraded_reason TEXT,
  health TEXT
);

CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('probe', 'read', 'admin')),
  probe_id TEXT,
  app TEXT,
  region TEXT,
  name TEXT,
  expires_at BIGINT,
  secret_hash BYTEA NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);

CREATE TABLE targets (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  revision TEXT NOT NULL,
  document TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL
);
`,
  },
];

/** The alerts component (same tables as store/sqlite/alert-migrations.ts) plus outbox claims. */
export const PG_ALERT_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'alerts, silences, receivers, outbox',
    sql: `
CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  rule TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
  labels TEXT NOT NULL,
  severity TEXT NOT NULL,
  scope TEXT NOT NULL,
  summary TEXT NOT NULL,
  evidence TEXT NOT NULL,
  starts_at BIGINT NOT NULL,
  fired_at BIGINT,
  resolved_at BIGINT,
  updated_at BIGINT NOT NULL,
  acked_at BIGINT,
  acked_by TEXT,
  silenced_by TEXT,
  notified SMALLINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX alerts_open_fingerprint ON alerts (fingerprint) WHERE state IN ('pending', 'firing');
CREATE INDEX alerts_state_starts ON alerts (state, starts_at);
CREATE INDEX alerts_rule_starts ON alerts (rule, starts_at);

CREATE TABLE alert_silences (
  id TEXT PRIMARY KEY,
  matchers TEXT NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  comment TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE alert_receivers (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('webhook', 'slack', 'alertmanager')),
  url TEXT NOT NULL,
  secret TEXT,
  name TEXT,
  created_at BIGINT NOT NULL
);

-- claimed_until: a collector delivering a row holds it until then (FOR UPDATE SKIP LOCKED when claiming),
-- so two collectors that both believe they lead never send the same notification.
CREATE TABLE alert_outbox (
  id BIGSERIAL PRIMARY KEY,
  event_id TEXT NOT NULL,
  alert_id TEXT NOT NULL,
  receiver_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('firing', 'resolved')),
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  last_error TEXT,
  delivered_at BIGINT,
  claimed_until BIGINT,
  UNIQUE (alert_id, receiver_id, kind)
);
CREATE INDEX alert_outbox_due ON alert_outbox (status, next_attempt_at);
`,
  },
];
