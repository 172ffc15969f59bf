import { randomUUID } from 'node:crypto';
import type { SilenceView } from '@flyprobe/shared';
import type {
  AlertFilter,
  AlertRecord,
  AlertStore,
  NewNotification,
  NewSilence,
  OutboxEntry,
  OutboxStatus,
  Receiver,
} from '../../alerts/types.ts';
import {
  type AlertRow,
  alertParams,
  type OutboxRow,
  type ReceiverRow,
  type SilenceRow,
  toAlert,
  toOutbox,
  toReceiver,
  toSilence,
} from '../core/alert-rows.ts';
import { type Pool, transaction } from './pool.ts';

const UPSERT_ALERT = `INSERT INTO alerts (id, fingerprint, rule, state, labels, severity, scope, summary, evidence,
    starts_at, fired_at, resolved_at, updated_at, acked_at, acked_by, silenced_by, notified)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
  ON CONFLICT (id) DO UPDATE SET state = excluded.state, labels = excluded.labels, severity = excluded.severity,
    scope = excluded.scope, summary = excluded.summary, evidence = excluded.evidence, fired_at = excluded.fired_at,
    resolved_at = excluded.resolved_at, updated_at = excluded.updated_at, silenced_by = excluded.silenced_by,
    notified = excluded.notified`;

/** How long a claimed notification stays reserved for the collector delivering it. */
export const CLAIM_MS = 60_000;

/** Alerts, silences, receivers and the outbox on PostgreSQL (same tables and rules as the SQLite store). */
export class PgAlertStore implements AlertStore {
  constructor(private readonly pool: Pool) {}

  async loadOpenAlerts(): Promise<AlertRecord[]> {
    const { rows } = await this.pool.query<AlertRow>(
      "SELECT * FROM alerts WHERE state IN ('pending', 'firing')",
    );
    return rows.map(toAlert);
  }

  async commitAlertChanges(change: {
    upsert: AlertRecord[];
    remove: string[];
    notifications: NewNotification[];
  }): Promise<void> {
    await transaction(this.pool, async (c) => {
      if (change.remove.length > 0)
        await c.query('DELETE FROM alerts WHERE id = ANY($1::text[])', [change.remove]);
      for (const a of change.upsert) {
        const p = alertParams(a);
        await c.query(UPSERT_ALERT, [
          p.id,
          p.fingerprint,
          p.rule,
          p.state,
          p.labels,
          p.severity,
          p.scope,
          p.summary,
          p.evidence,
          p.startsAt,
          p.firedAt,
          p.resolvedAt,
          p.updatedAt,
          p.acknowledgedAt,
          p.acknowledgedBy,
          p.silencedBy,
          p.notified,
        ]);
      }
      for (const n of change.notifications) {
        await c.query(
          `INSERT INTO alert_outbox (event_id, alert_id, receiver_id, kind, payload, created_at, next_attempt_at)
           VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (alert_id, receiver_id, kind) DO NOTHING`,
          [n.eventId, n.alertId, n.receiverId, n.kind, JSON.stringify(n.alert), n.createdAt],
        );
      }
    });
  }

  async listAlerts(filter: AlertFilter): Promise<AlertRecord[]> {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.state) {
      args.push(filter.state);
      where.push(`state = $${args.length}`);
    }
    if (filter.rule) {
      args.push(filter.rule);
      where.push(`rule = $${args.length}`);
    }
    if (filter.region) {
      args.push(filter.region);
      const n = args.length;
      where.push(`(labels::jsonb ->> 'region' = $${n} OR labels::jsonb ->> 'probe_region' = $${n})`);
    }
    args.push(filter.limit);
    const sql = `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY starts_at DESC, id COLLATE "C" LIMIT $${args.length}`;
    return (await this.pool.query<AlertRow>(sql, args)).rows.map(toAlert);
  }

  async getAlert(id: string): Promise<AlertRecord | undefined> {
    const row = (await this.pool.query<AlertRow>('SELECT * FROM alerts WHERE id = $1', [id])).rows[0];
    return row ? toAlert(row) : undefined;
  }

  async acknowledgeAlert(id: string, by: string, at: number): Promise<AlertRecord | undefined> {
    await this.pool.query('UPDATE alerts SET acked_at = $1, acked_by = $2, updated_at = $1 WHERE id = $3', [
      at,
      by,
      id,
    ]);
    return this.getAlert(id);
  }

  async createSilence(input: NewSilence, at: number): Promise<SilenceView> {
    const { rows } = await this.pool.query<SilenceRow>(
      `INSERT INTO alert_silences (id, matchers, starts_at, ends_at, created_by, comment, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [
        randomUUID(),
        JSON.stringify(input.matchers),
        input.startsAt,
        input.endsAt,
        input.createdBy,
        input.comment,
        at,
      ],
    );
    return toSilence(rows[0] as SilenceRow, at);
  }

  async listSilences(now: number): Promise<SilenceView[]> {
    const { rows } = await this.pool.query<SilenceRow>(
      'SELECT * FROM alert_silences ORDER BY created_at DESC, id COLLATE "C"',
    );
    return rows.map((r) => toSilence(r, now));
  }

  async expireSilence(id: string, now: number): Promise<boolean> {
    const r = await this.pool.query('UPDATE alert_silences SET ends_at = $1 WHERE id = $2 AND ends_at > $1', [
      now,
      id,
    ]);
    return (r.rowCount ?? 0) > 0;
  }

  async listReceivers(): Promise<Receiver[]> {
    const { rows } = await this.pool.query<ReceiverRow>(
      'SELECT * FROM alert_receivers ORDER BY created_at, id COLLATE "C"',
    );
    return rows.map(toReceiver);
  }

  async createReceiver(input: Omit<Receiver, 'id' | 'createdAt' | 'source'>, at: number): Promise<Receiver> {
    const id = randomUUID();
    await this.pool.query(
      'INSERT INTO alert_receivers (id, kind, url, secret, name, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [id, input.kind, input.url, input.secret, input.name, at],
    );
    return { ...input, id, createdAt: at, source: 'api' };
  }

  async deleteReceiver(id: string): Promise<boolean> {
    const r = await this.pool.query('DELETE FROM alert_receivers WHERE id = $1', [id]);
    return (r.rowCount ?? 0) > 0;
  }

  /**
   * Claims the due notifications for this collector (FOR UPDATE SKIP LOCKED, then `claimed_until`), so a
   * second collector that also believes it leads skips them instead of sending them again. A claim ends
   * with markDelivered / markAttemptFailed, or lapses after CLAIM_MS if its holder died mid-delivery.
   */
  async dueNotifications(now: number, limit: number): Promise<OutboxEntry[]> {
    const { rows } = await this.pool.query<OutboxRow>(
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
  }

  async markDelivered(id: number, at: number): Promise<void> {
    await this.pool.query(
      `UPDATE alert_outbox SET status = 'delivered', delivered_at = $1, attempts = attempts + 1, last_error = NULL,
         claimed_until = NULL WHERE id = $2`,
      [at, id],
    );
  }

  async markAttemptFailed(
    id: number,
    update: { attempts: number; nextAttemptAt: number; error: string; dead: boolean },
  ): Promise<void> {
    await this.pool.query(
      `UPDATE alert_outbox SET attempts = $1, next_attempt_at = $2, last_error = $3, status = $4, claimed_until = NULL
       WHERE id = $5`,
      [
        update.attempts,
        update.nextAttemptAt,
        update.error.slice(0, 1000),
        update.dead ? 'dead' : 'pending',
        id,
      ],
    );
  }

  async outboxCounts(): Promise<Record<OutboxStatus, number>> {
    const counts: Record<OutboxStatus, number> = { pending: 0, delivered: 0, dead: 0 };
    const { rows } = await this.pool.query<{ status: OutboxStatus; n: number }>(
      'SELECT status, count(*) AS n FROM alert_outbox GROUP BY status',
    );
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  async pruneAlerts(before: number): Promise<number> {
    return transaction(this.pool, async (c) => {
      const outbox = await c.query("DELETE FROM alert_outbox WHERE status <> 'pending' AND created_at < $1", [
        before,
      ]);
      const alerts = await c.query(
        "DELETE FROM alerts WHERE state = 'resolved' AND resolved_at < $1 AND id NOT IN (SELECT alert_id FROM alert_outbox)",
        [before],
      );
      return (outbox.rowCount ?? 0) + (alerts.rowCount ?? 0);
    });
  }
}
