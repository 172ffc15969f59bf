import type { AlertState, AlertView, ReceiverKind, SilenceMatcher, SilenceView } from '@flyprobe/shared';

/** An alert as kept by the engine: the API view plus whether its firing was notified. */
export interface AlertRecord extends AlertView {
  /** A firing notification was queued; only then is a resolved one queued too. */
  notified: boolean;
}

export { RECEIVER_KINDS, type ReceiverKind } from '@flyprobe/shared';

export interface Receiver {
  /** `env:<kind>` for receivers from environment variables; a random id for ones added through the API. */
  id: string;
  kind: ReceiverKind;
  url: string;
  /** Webhook HMAC secret; for Alertmanager, the bearer token. */
  secret: string | null;
  name: string | null;
  source: 'env' | 'api';
  createdAt: number;
}

export type NotificationKind = 'firing' | 'resolved';
export type OutboxStatus = 'pending' | 'delivered' | 'dead';

export interface NewNotification {
  /** Unique per (alert, kind, receiver); receivers use it to drop a redelivery. */
  eventId: string;
  alertId: string;
  receiverId: string;
  kind: NotificationKind;
  /** The alert as it was when the transition happened. */
  alert: AlertView;
  createdAt: number;
}

export interface OutboxEntry extends NewNotification {
  id: number;
  attempts: number;
  nextAttemptAt: number;
  status: OutboxStatus;
  lastError: string | null;
  deliveredAt: number | null;
}

export interface AlertFilter {
  state?: AlertState;
  rule?: string;
  /** Matches the `region` or the `probe_region` label. */
  region?: string;
  limit: number;
}

export interface NewSilence {
  matchers: SilenceMatcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

/** Persistence of alerts, silences, receivers and the notification outbox. SQLite first; the shape fits PostgreSQL. */
export interface AlertStore {
  /** Pending and firing alerts, to resume the lifecycle after a restart. */
  loadOpenAlerts(): Promise<AlertRecord[]>;
  /** Writes alert changes and the notifications they cause in ONE transaction; a notification is stored once. */
  commitAlertChanges(change: {
    upsert: AlertRecord[];
    remove: string[];
    notifications: NewNotification[];
  }): Promise<void>;
  listAlerts(filter: AlertFilter): Promise<AlertRecord[]>;
  getAlert(id: string): Promise<AlertRecord | undefined>;
  acknowledgeAlert(id: string, by: string, at: number): Promise<AlertRecord | undefined>;

  createSilence(input: NewSilence, at: number): Promise<SilenceView>;
  /** Every silence with its state as of `now`, newest first. */
  listSilences(now: number): Promise<SilenceView[]>;
  /** Ends a silence now; false when it does not exist or already ended. */
  expireSilence(id: string, now: number): Promise<boolean>;

  listReceivers(): Promise<Receiver[]>;
  createReceiver(input: Omit<Receiver, 'id' | 'createdAt' | 'source'>, at: number): Promise<Receiver>;
  deleteReceiver(id: string): Promise<boolean>;

  /**
   * Pending notifications due at `now`, oldest first, skipping any whose earlier notification for the same
   * alert and receiver is still pending (so "resolved" never overtakes "firing").
   */
  dueNotifications(now: number, limit: number): Promise<OutboxEntry[]>;
  markDelivered(id: number, at: number): Promise<void>;
  markAttemptFailed(
    id: number,
    update: { attempts: number; nextAttemptAt: number; error: string; dead: boolean },
  ): Promise<void>;
  outboxCounts(): Promise<Record<OutboxStatus, number>>;
  /** Deletes resolved alerts and finished notifications older than `before`. */
  pruneAlerts(before: number): Promise<number>;
}
