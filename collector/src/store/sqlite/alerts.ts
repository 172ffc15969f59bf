import { randomUUID } from 'node:crypto';
import type { SilenceView } from '@flyprobe/shared';
import type { Database } from 'better-sqlite3';
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
import { ALERT_MIGRATIONS } from './alert-migrations.ts';
import { runMigrations } from './migrations.ts';

/** Alerts, silences, receivers and the outbox in the collector's SQLite file (own tables, component `alerts`). */
export class SqliteAlertStore implements AlertStore {
  private readonly upsertAlert;
  private readonly deleteAlert;
  private readonly insertNotification;

  constructor(private readonly db: Database) {
    runMigrations(db, 'alerts', ALERT_MIGRATIONS);
    this.upsertAlert = db.prepare(`
      INSERT INTO alerts (id, fingerprint, rule, state, labels, severity, scope, summary, evidence, starts_at, fired_at,
        resolved_at, updated_at, acked_at, acked_by, silenced_by, notified)
      VALUES (@id, @fingerprint, @rule, @state, @labels, @severity, @scope, @summary, @evidence, @startsAt, @firedAt,
        @resolvedAt, @updatedAt, @acknowledgedAt, @acknowledgedBy, @silencedBy, @notified)
      ON CONFLICT (id) DO UPDATE SET state = excluded.state, labels = excluded.labels, severity = excluded.severity,
        scope = excluded.scope, summary = excluded.summary, evidence = excluded.evidence, fired_at = excluded.fired_at,
        resolved_at = excluded.resolved_at, updated_at = excluded.updated_at, silenced_by = excluded.silenced_by,
        notified = excluded.notified`);
    this.deleteAlert = db.prepare('DELETE FROM alerts WHERE id = ?');
    this.insertNotification = db.prepare(`
      INSERT INTO alert_outbox (event_id, alert_id, receiver_id, kind, payload, created_at, next_attempt_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (alert_id, receiver_id, kind) DO NOTHING`);
  }

  async loadOpenAlerts(): Promise<AlertRecord[]> {
    const rows = this.db
      .prepare("SELECT * FROM alerts WHERE state IN ('pending', 'firing')")
      .all() as AlertRow[];
    return rows.map(toAlert);
  }

  async commitAlertChanges(change: {
    upsert: AlertRecord[];
    remove: string[];
    notifications: NewNotification[];
  }): Promise<void> {
    this.db.transaction(() => {
      for (const id of change.remove) this.deleteAlert.run(id);
      for (const a of change.upsert) {
        this.upsertAlert.run(alertParams(a));
      }
      for (const n of change.notifications) {
        this.insertNotification.run(
          n.eventId,
          n.alertId,
          n.receiverId,
          n.kind,
          JSON.stringify(n.alert),
          n.createdAt,
          n.createdAt,
        );
      }
    })();
  }

  async listAlerts(filter: AlertFilter): Promise<AlertRecord[]> {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.state) {
      where.push('state = ?');
      args.push(filter.state);
    }
    if (filter.rule) {
      where.push('rule = ?');
      args.push(filter.rule);
    }
    if (filter.region) {
      where.push("(json_extract(labels, '$.region') = ? OR json_extract(labels, '$.probe_region') = ?)");
      args.push(filter.region, filter.region);
    }
    const sql = `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY starts_at DESC, id LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit) as AlertRow[]).map(toAlert);
  }

  async getAlert(id: string): Promise<AlertRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as AlertRow | undefined;
    return row ? toAlert(row) : undefined;
  }

  async acknowledgeAlert(id: string, by: string, at: number): Promise<AlertRecord | undefined> {
    this.db
      .prepare('UPDATE alerts SET acked_at = ?, acked_by = ?, updated_at = ? WHERE id = ?')
      .run(at, by, at, id);
    return this.getAlert(id);
  }

  async createSilence(input: NewSilence, at: number): Promise<SilenceView> {
    const id = randomUUID();
    this.db
      .prepare(
        'INSERT INTO alert_silences (id, matchers, starts_at, ends_at, created_by, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        id,
        JSON.stringify(input.matchers),
        input.startsAt,
        input.endsAt,
        input.createdBy,
        input.comment,
        at,
      );
    const row = this.db.prepare('SELECT * FROM alert_silences WHERE id = ?').get(id) as SilenceRow;
    return toSilence(row, at);
  }

  async listSilences(now: number): Promise<SilenceView[]> {
    const rows = this.db
      .prepare('SELECT * FROM alert_silences ORDER BY created_at DESC, id')
      .all() as SilenceRow[];
    return rows.map((r) => toSilence(r, now));
  }

  async expireSilence(id: string, now: number): Promise<boolean> {
    const r = this.db
      .prepare('UPDATE alert_silences SET ends_at = ? WHERE id = ? AND ends_at > ?')
      .run(now, id, now);
    return r.changes > 0;
  }

  async listReceivers(): Promise<Receiver[]> {
    return (
      this.db.prepare('SELECT * FROM alert_receivers ORDER BY created_at, id').all() as ReceiverRow[]
    ).map(toReceiver);
  }

  async createReceiver(input: Omit<Receiver, 'id' | 'createdAt' | 'source'>, at: number): Promise<Receiver> {
    const id = randomUUID();
    this.db
      .prepare(
        'INSERT INTO alert_receivers (id, kind, url, secret, name, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, input.kind, input.url, input.secret, input.name, at);
    return { ...input, id, createdAt: at, source: 'api' };
  }

  async deleteReceiver(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM alert_receivers WHERE id = ?').run(id).changes > 0;
  }

  async dueNotifications(now: number, limit: number): Promise<OutboxEntry[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM alert_outbox o
         WHERE o.status = 'pending' AND o.next_attempt_at <= ?
           AND NOT EXISTS (SELECT 1 FROM alert_outbox e WHERE e.status = 'pending' AND e.alert_id = o.alert_id
                             AND e.receiver_id = o.receiver_id AND e.id < o.id)
         ORDER BY o.id LIMIT ?`,
      )
      .all(now, limit) as OutboxRow[];
    return rows.map(toOutbox);
  }

  async markDelivered(id: number, at: number): Promise<void> {
    this.db
      .prepare(
        "UPDATE alert_outbox SET status = 'delivered', delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
      )
      .run(at, id);
  }

  async markAttemptFailed(
    id: number,
    update: { attempts: number; nextAttemptAt: number; error: string; dead: boolean },
  ): Promise<void> {
    this.db
      .prepare(
        'UPDATE alert_outbox SET attempts = ?, next_attempt_at = ?, last_error = ?, status = ? WHERE id = ?',
      )
      .run(
        update.attempts,
        update.nextAttemptAt,
        update.error.slice(0, 1000),
        update.dead ? 'dead' : 'pending',
        id,
      );
  }

  async outboxCounts(): Promise<Record<OutboxStatus, number>> {
    const counts: Record<OutboxStatus, number> = { pending: 0, delivered: 0, dead: 0 };
    for (const row of this.db
      .prepare('SELECT status, COUNT(*) AS n FROM alert_outbox GROUP BY status')
      .all() as Array<{
      status: OutboxStatus;
      n: number;
    }>) {
      counts[row.status] = row.n;
    }
    return counts;
  }

  async pruneAlerts(before: number): Promise<number> {
    return this.db.transaction(() => {
      const outbox = this.db
        .prepare("DELETE FROM alert_outbox WHERE status != 'pending' AND created_at < ?")
        .run(before).changes;
      const alerts = this.db
        .prepare(
          "DELETE FROM alerts WHERE state = 'resolved' AND resolved_at < ? AND id NOT IN (SELECT alert_id FROM alert_outbox)",
        )
        .run(before).changes;
      return outbox + alerts;
    })();
  }
}
