import type { OutboxEntry } from '../../alerts/types.ts';
import { type OutboxRow, toOutbox } from '../core/alert-rows.ts';
import { SqlAlertStore } from '../core/alert-store.ts';
import type { Pool } from './pool.ts';
import { pgSql } from './sql.ts';

/** How long a claimed notification stays reserved for the collector delivering it. */
export const CLAIM_MS = 60_000;

/** Alerts, silences, receivers and the outbox on PostgreSQL (same tables and rules as the SQLite store). */
export class PgAlertStore extends SqlAlertStore {
  constructor(pool: Pool) {
    super(pgSql(pool), {
      textOrder: (column) => `${column} COLLATE "C"`,
      labelEquals: (key) => `labels::jsonb ->> '${key}' = ?`,
      // A claim ends with the attempt (see dueNotifications).
      endAttempt: ', claimed_until = NULL',
      /**
       * Claims the due notifications for this collector (FOR UPDATE SKIP LOCKED, then `claimed_until`), so a
       * second collector that also believes it leads skips them instead of sending them again. A claim ends
       * with markDelivered / markAttemptFailed, or lapses after CLAIM_MS if its holder died mid-delivery.
       */
      dueNotifications: async (now: number, limit: number): Promise<OutboxEntry[]> => {
        const { rows } = await pool.query<OutboxRow>(
          `UPDATE alert_outbox SET claimed_until = $3
           WHERE id IN (
             SELECT o.id FROM alert_outbox o
             WHERE o.status = 'pending' AND o.next_attempt_at <= $1 AND (o.claimed_until IS NULL OR o.claimed_until <= $1)
               AND NOT EXISTS (SELECT 1 FROM alert_outbox e WHERE e.status = 'pending' AND e.alert_id = o.alert_id
                                 AND e.receiver_id = o.receiver_id AND e.id < o.id)
             ORDER BY o.id LIMIT $2
             FOR UPDATE SKIP LOCKED)
           RETURNING *`,
          [now, limit, now + CLAIM_MS],
        );
        return rows.map(toOutbox).sort((a, b) => a.id - b.id);
      },
    });
  }
}
