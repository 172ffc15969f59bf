import type { Database } from 'better-sqlite3';
import type { OutboxEntry } from '../../alerts/types.ts';
import { type OutboxRow, toOutbox } from '../core/alert-rows.ts';
import { SqlAlertStore } from '../core/alert-store.ts';
import type { Sql } from '../core/sql.ts';
import { ALERT_MIGRATIONS } from './alert-migrations.ts';
import { runMigrations } from './migrations.ts';
import { sqliteSql } from './sql.ts';

/**
 * Alerts, silences, receivers and the outbox in the collector's SQLite file (own tables, component `alerts`).
 * Reads run on `db`; writes on `writes`, which the store points at its writer thread (its group commits and
 * their WAL sync, off the event loop) and which is `db` itself where there is no writer thread.
 */
export class SqliteAlertStore extends SqlAlertStore {
  constructor(db: Database, writes: Pick<Sql, 'run' | 'batch'> = sqliteSql(db)) {
    runMigrations(db, 'alerts', ALERT_MIGRATIONS);
    const reads = sqliteSql(db);
    const sql: Sql = { all: reads.all, run: writes.run, batch: writes.batch };
    super(sql, {
      textOrder: (column) => column,
      labelEquals: (key) => `json_extract(labels, '$.${key}') = ?`,
      endAttempt: '',
      // One collector per file: due rows need no claim.
      dueNotifications: async (now: number, limit: number): Promise<OutboxEntry[]> =>
        (
          await sql.all<OutboxRow>(
            `SELECT * FROM alert_outbox o
             WHERE o.status = 'pending' AND o.next_attempt_at <= ?
               AND NOT EXISTS (SELECT 1 FROM alert_outbox e WHERE e.status = 'pending' AND e.alert_id = o.alert_id
                                 AND e.receiver_id = o.receiver_id AND e.id < o.id)
             ORDER BY o.id LIMIT ?`,
            [now, limit],
          )
        ).map(toOutbox),
    });
  }
}
