import type { Migration } from './migrations.ts';

/** Tables of the alerts component, applied with `runMigrations(db, 'alerts', ALERT_MIGRATIONS)`. */
export const ALERT_MIGRATIONS: readonly Migration[] = [
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
        starts_at INTEGER NOT NULL,
        fired_at INTEGER,
        resolved_at INTEGER,
        updated_at INTEGER NOT NULL,
        acked_at INTEGER,
        acked_by TEXT,
        silenced_by TEXT,
        notified INTEGER NOT NULL DEFAULT 0
      );
      -- One open episode per fingerprint.
      CREATE UNIQUE INDEX alerts_open_fingerprint ON alerts (fingerprint) WHERE state IN ('pending', 'firing');
      CREATE INDEX alerts_state_starts ON alerts (state, starts_at);
      CREATE INDEX alerts_rule_starts ON alerts (rule, starts_at);

      CREATE TABLE alert_silences (
        id TEXT PRIMARY KEY,
        matchers TEXT NOT NULL,
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        comment TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE alert_receivers (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('webhook', 'slack', 'alertmanager')),
        url TEXT NOT NULL,
        secret TEXT,
        name TEXT,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE alert_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL,
        alert_id TEXT NOT NULL,
        receiver_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('firing', 'resolved')),
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
        last_error TEXT,
        delivered_at INTEGER,
        UNIQUE (alert_id, receiver_id, kind)
      );
      CREATE INDEX alert_outbox_due ON alert_outbox (status, next_attempt_at);
    `,
  },
];
