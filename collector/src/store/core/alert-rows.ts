import type { AlertView, SilenceMatcher, SilenceView } from '@flyprobe/shared';
import { silenceState } from '../../alerts/silences.ts';
import type { AlertRecord, OutboxEntry, OutboxStatus, Receiver, ReceiverKind } from '../../alerts/types.ts';

/* Alert tables' rows as both dialects store them (JSON as text, flags as 0/1, times as ms) and back. */

export interface AlertRow {
  id: string;
  fingerprint: string;
  rule: string;
  state: AlertRecord['state'];
  labels: string;
  severity: AlertRecord['severity'];
  scope: AlertRecord['scope'];
  summary: string;
  evidence: string;
  starts_at: number;
  fired_at: number | null;
  resolved_at: number | null;
  updated_at: number;
  acked_at: number | null;
  acked_by: string | null;
  silenced_by: string | null;
  notified: number;
}

export interface SilenceRow {
  id: string;
  matchers: string;
  starts_at: number;
  ends_at: number;
  created_by: string;
  comment: string;
  created_at: number;
}

export interface ReceiverRow {
  id: string;
  kind: ReceiverKind;
  url: string;
  secret: string | null;
  name: string | null;
  created_at: number;
}

export interface OutboxRow {
  id: number;
  event_id: string;
  alert_id: string;
  receiver_id: string;
  kind: 'firing' | 'resolved';
  payload: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  status: OutboxStatus;
  last_error: string | null;
  delivered_at: number | null;
}

export function toAlert(row: AlertRow): AlertRecord {
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    rule: row.rule,
    state: row.state,
    labels: JSON.parse(row.labels) as Record<string, string>,
    severity: row.severity,
    scope: row.scope,
    summary: row.summary,
    evidence: JSON.parse(row.evidence) as AlertRecord['evidence'],
    startsAt: row.starts_at,
    firedAt: row.fired_at,
    resolvedAt: row.resolved_at,
    updatedAt: row.updated_at,
    acknowledgedAt: row.acked_at,
    acknowledgedBy: row.acked_by,
    silencedBy: row.silenced_by,
    notified: row.notified === 1,
  };
}

export function toSilence(row: SilenceRow, now: number): SilenceView {
  const s = {
    id: row.id,
    matchers: JSON.parse(row.matchers) as SilenceMatcher[],
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    createdBy: row.created_by,
    comment: row.comment,
    createdAt: row.created_at,
  };
  return { ...s, state: silenceState(s, now) };
}

export function toReceiver(row: ReceiverRow): Receiver {
  return {
    id: row.id,
    kind: row.kind,
    url: row.url,
    secret: row.secret,
    name: row.name,
    source: 'api',
    createdAt: row.created_at,
  };
}

export function toOutbox(row: OutboxRow): OutboxEntry {
  return {
    id: row.id,
    eventId: row.event_id,
    alertId: row.alert_id,
    receiverId: row.receiver_id,
    kind: row.kind,
    alert: JSON.parse(row.payload) as AlertView,
    createdAt: row.created_at,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    status: row.status,
    lastError: row.last_error,
    deliveredAt: row.delivered_at,
  };
}

/** An alert's column values by name (JSON columns serialized, the flag as 0/1). */
export function alertParams(a: AlertRecord) {
  return {
    ...a,
    labels: JSON.stringify(a.labels),
    evidence: JSON.stringify(a.evidence),
    notified: a.notified ? 1 : 0,
  };
}
