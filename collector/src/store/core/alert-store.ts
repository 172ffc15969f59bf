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
  type ReceiverRow,
  type SilenceRow,
  toAlert,
  toReceiver,
  toSilence,
} from './alert-rows.ts';
import type { Sql, Statement } from './sql.ts';

/** What differs between dialects in the alert tables' statements. */
export interface AlertDialect {
  /** `<column>` ordered byte-wise (PostgreSQL's default collation is not). */
  textOrder(column: string): string;
  /** A condition that the alert's `labels` JSON has `key` equal to the next parameter. */
  labelEquals(key: string): string;
  /** Extra assignments when a delivery attempt ends (PostgreSQL releases its claim), or ''. */
  endAttempt: string;
  /** The due notifications, in id order (PostgreSQL claims them for this collector). */
  dueNotifications(now: number, limit: number): Promise<OutboxEntry[]>;
}

const ALERT_COLUMNS = [
  ['id', 'id'],
  ['fingerprint', 'fingerprint'],
  ['rule', 'rule'],
  ['state', 'state'],
  ['labels', 'labels'],
  ['severity', 'severity'],
  ['scope', 'scope'],
  ['summary', 'summary'],
  ['evidence', 'evidence'],
  ['starts_at', 'startsAt'],
  ['fired_at', 'firedAt'],
  ['resolved_at', 'resolvedAt'],
  ['updated_at', 'updatedAt'],
  ['acked_at', 'acknowledgedAt'],
  ['acked_by', 'acknowledgedBy'],
  ['silenced_by', 'silencedBy'],
  ['notified', 'notified'],
] as const;

const UPSERT_ALERT = `INSERT INTO alerts (${ALERT_COLUMNS.map(([c]) => c).join(', ')})
  VALUES (${ALERT_COLUMNS.map(() => '?').join(', ')})
  ON CONFLICT (id) DO UPDATE SET state = excluded.state, labels = excluded.labels, severity = excluded.severity,
    scope = excluded.scope, summary = excluded.summary, evidence = excluded.evidence, fired_at = excluded.fired_at,
    resolved_at = excluded.resolved_at, updated_at = excluded.updated_at, silenced_by = excluded.silenced_by,
    notified = excluded.notified`;

const INSERT_NOTIFICATION = `INSERT INTO alert_outbox (event_id, alert_id, receiver_id, kind, payload, created_at,
    next_attempt_at)
  VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (alert_id, receiver_id, kind) DO NOTHING`;

/**
 * Alerts, silences, receivers and the outbox on any dialect: the same tables, rules and statements, with the
 * dialect's differences (collation, JSON access, claims) from its `AlertDialect`.
 */
export class SqlAlertStore implements AlertStore {
  constructor(
    private readonly sql: Sql,
    private readonly dialect: AlertDialect,
  ) {}

  async loadOpenAlerts(): Promise<AlertRecord[]> {
    return (await this.sql.all<AlertRow>("SELECT * FROM alerts WHERE state IN ('pending', 'firing')")).map(
      toAlert,
    );
  }

  async commitAlertChanges(change: {
    upsert: AlertRecord[];
    remove: string[];
    notifications: NewNotification[];
  }): Promise<void> {
    const statements: Statement[] = change.remove.map((id) => ['DELETE FROM alerts WHERE id = ?', [id]]);
    for (const a of change.upsert) {
      const p = alertParams(a);
      statements.push([UPSERT_ALERT, ALERT_COLUMNS.map(([, key]) => p[key])]);
    }
    for (const n of change.notifications)
      statements.push([
        INSERT_NOTIFICATION,
        [n.eventId, n.alertId, n.receiverId, n.kind, JSON.stringify(n.alert), n.createdAt, n.createdAt],
      ]);
    await this.sql.batch(statements);
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
      where.push(`(${this.dialect.labelEquals('region')} OR ${this.dialect.labelEquals('probe_region')})`);
      args.push(filter.region, filter.region);
    }
    const sql = `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY starts_at DESC, ${this.dialect.textOrder('id')} LIMIT ?`;
    return (await this.sql.all<AlertRow>(sql, [...args, filter.limit])).map(toAlert);
  }

  async getAlert(id: string): Promise<AlertRecord | undefined> {
    const [row] = await this.sql.all<AlertRow>('SELECT * FROM alerts WHERE id = ?', [id]);
    return row ? toAlert(row) : undefined;
  }

  async acknowledgeAlert(id: string, by: string, at: number): Promise<AlertRecord | undefined> {
    await this.sql.run('UPDATE alerts SET acked_at = ?, acked_by = ?, updated_at = ? WHERE id = ?', [
      at,
      by,
      at,
      id,
    ]);
    return this.getAlert(id);
  }

  async createSilence(input: NewSilence, at: number): Promise<SilenceView> {
    const id = randomUUID();
    await this.sql.run(
      'INSERT INTO alert_silences (id, matchers, starts_at, ends_at, created_by, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [id, JSON.stringify(input.matchers), input.startsAt, input.endsAt, input.createdBy, input.comment, at],
    );
    const [row] = await this.sql.all<SilenceRow>('SELECT * FROM alert_silences WHERE id = ?', [id]);
    return toSilence(row as SilenceRow, at);
  }

  async listSilences(now: number): Promise<SilenceView[]> {
    const rows = await this.sql.all<SilenceRow>(
      `SELECT * FROM alert_silences ORDER BY created_at DESC, ${this.dialect.textOrder('id')}`,
    );
    return rows.map((r) => toSilence(r, now));
  }

  async expireSilence(id: string, now: number): Promise<boolean> {
    return (
      (await this.sql.run('UPDATE alert_silences SET ends_at = ? WHERE id = ? AND ends_at > ?', [
        now,
        id,
        now,
      ])) > 0
    );
  }

  async listReceivers(): Promise<Receiver[]> {
    const rows = await this.sql.all<ReceiverRow>(
      `SELECT * FROM alert_receivers ORDER BY created_at, ${this.dialect.textOrder('id')}`,
    );
    return rows.map(toReceiver);
  }

  async createReceiver(input: Omit<Receiver, 'id' | 'createdAt' | 'source'>, at: number): Promise<Receiver> {
    const id = randomUUID();
    await this.sql.run(
      'INSERT INTO alert_receivers (id, kind, url, secret, name, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      [id, input.kind, input.url, input.secret, input.name, at],
    );
    return { ...input, id, createdAt: at, source: 'api' };
  }

  async deleteReceiver(id: string): Promise<boolean> {
    return (await this.sql.run('DELETE FROM alert_receivers WHERE id = ?', [id])) > 0;
  }

  dueNotifications(now: number, limit: number): Promise<OutboxEntry[]> {
    return this.dialect.dueNotifications(now, limit);
  }

  async markDelivered(id: number, at: number): Promise<void> {
    await this.sql.run(
      `UPDATE alert_outbox SET status = 'delivered', delivered_at = ?, attempts = attempts + 1, last_error = NULL${this.dialect.endAttempt}
       WHERE id = ?`,
      [at, id],
    );
  }

  async markAttemptFailed(
    id: number,
    update: { attempts: number; nextAttemptAt: number; error: string; dead: boolean },
  ): Promise<void> {
    await this.sql.run(
      `UPDATE alert_outbox SET attempts = ?, next_attempt_at = ?, last_error = ?, status = ?${this.dialect.endAttempt}
       WHERE id = ?`,
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
    const rows = await this.sql.all<{ status: OutboxStatus; n: number }>(
      'SELECT status, count(*) AS n FROM alert_outbox GROUP BY status',
    );
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  async pruneAlerts(before: number): Promise<number> {
    const [outbox = 0, alerts = 0] = await this.sql.batch([
      ["DELETE FROM alert_outbox WHERE status <> 'pending' AND created_at < ?", [before]],
      [
        "DELETE FROM alerts WHERE state = 'resolved' AND resolved_at < ? AND id NOT IN (SELECT alert_id FROM alert_outbox)",
        [before],
      ],
    ]);
    return outbox + alerts;
  }
}
