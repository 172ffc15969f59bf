import { randomUUID } from 'node:crypto';
import type { AlertResolutionView, AlertView, SilenceView } from '@flyprobe/shared';
import type { Finding, RuleName } from '../detect/types.ts';
import { fingerprint } from './fingerprint.ts';
import type { AlertingSettings } from './settings.ts';
import { silencing } from './silences.ts';
import type { AlertRecord, AlertStore, NewNotification, NotificationKind, Receiver } from './types.ts';

export interface Transition {
  alert: AlertRecord;
  from: AlertRecord['state'] | null;
  to: AlertRecord['state'];
}

export interface EngineOptions {
  /** How long a rule's finding must keep firing before its pending alert fires (per-rule `forMs`). */
  forMs: (rule: RuleName) => number;
  /** Receivers to notify, read at each transition. */
  receivers: () => Promise<Receiver[]>;
  /** How often an open alert's changing evidence is written when nothing else changed (default 5 s). */
  persistEveryMs?: number;
}

/** The engine as the alerting plugin runs it: each rule's `forMs` from the detection settings. */
export function alertEngine(
  store: AlertStore,
  settings: Pick<AlertingSettings, 'detection'>,
  receivers: () => Promise<Receiver[]>,
): AlertEngine {
  return new AlertEngine(store, { forMs: (rule) => settings.detection[rule].forMs, receivers });
}

/** The snapshot a notification carries. */
export function alertView(a: AlertRecord): AlertView {
  const { notified: _notified, ...view } = a;
  return view;
}

/**
 * One lifecycle for every rule, keyed by rule + identity labels: pending -> firing -> resolved. Detectors
 * provide the hysteresis (a `hold` finding keeps an alert open but never opens one); `forMs` adds a minimum
 * duration. Every state change and the notifications it causes are committed in one transaction, so a crash
 * never loses or invents a notification.
 */
export class AlertEngine {
  private readonly open = new Map<string, AlertRecord>();
  private loaded = false;
  /** When each open alert was last written: evidence-only updates are batched. */
  private readonly persistedAt = new Map<string, number>();
  private readonly persistEveryMs: number;
  /** The newest finding of each open alert: what the resolution reports it fell from. */
  private readonly latest = new Map<string, { at: number; finding: Finding }>();

  constructor(
    private readonly store: AlertStore,
    private readonly options: EngineOptions,
  ) {
    this.persistEveryMs = options.persistEveryMs ?? 5000;
  }

  async load(): Promise<void> {
    this.open.clear();
    for (const a of await this.store.loadOpenAlerts()) this.open.set(a.fingerprint, a);
    this.loaded = true;
  }

  openAlerts(): AlertRecord[] {
    return [...this.open.values()];
  }

  /** Records an acknowledgement; later notifications of the alert carry it. */
  async acknowledge(id: string, by: string, now: number): Promise<AlertRecord | undefined> {
    const updated = await this.store.acknowledgeAlert(id, by, now);
    if (updated && this.open.get(updated.fingerprint)?.id === id) {
      const a = this.open.get(updated.fingerprint) as AlertRecord;
      a.acknowledgedAt = updated.acknowledgedAt;
      a.acknowledgedBy = updated.acknowledgedBy;
    }
    return updated;
  }

  /** Applies one evaluation's findings at `now`; returns the state transitions it caused. */
  async apply(findings: readonly Finding[], now: number): Promise<Transition[]> {
    if (!this.loaded) await this.load();
    const merged = mergeByFingerprint(findings);
    const silences = await this.store.listSilences(now);
    const receivers = await this.options.receivers();
    const transitions: Transition[] = [];
    const upsert: AlertRecord[] = [];
    const remove: string[] = [];
    const notifications: NewNotification[] = [];
    const next = new Map<string, AlertRecord>();

    for (const [fp, f] of merged) {
      const current = this.open.get(fp);
      if (!current && f.level !== 'fire') continue;
      const labels = { rule: f.rule, ...f.labels, severity: f.severity };
      // A firing alert keeps the summary and evidence it fired with (what was notified); a pending one follows
      // its finding. The newest finding is remembered for the resolution.
      this.latest.set(fp, { at: now, finding: f });
      const a: AlertRecord = current
        ? {
            ...current,
            labels,
            severity: f.severity,
            scope: f.scope ?? current.scope,
            ...(current.state === 'pending' ? { summary: f.summary, evidence: f.evidence } : {}),
            updatedAt: now,
          }
        : {
            id: randomUUID(),
            fingerprint: fp,
            rule: f.rule,
            state: 'pending',
            labels,
            severity: f.severity,
            scope: f.scope ?? 'local',
            summary: f.summary,
            evidence: f.evidence,
            startsAt: now,
            firedAt: null,
            resolvedAt: null,
            updatedAt: now,
            acknowledgedAt: null,
            acknowledgedBy: null,
            silencedBy: null,
            notified: false,
          };
      if (!current) transitions.push({ alert: a, from: null, to: 'pending' });
      if (a.state === 'pending' && f.level === 'fire' && now - a.startsAt >= this.options.forMs(f.rule)) {
        a.state = 'firing';
        a.firedAt = now;
        transitions.push({ alert: a, from: 'pending', to: 'firing' });
      }
      const before = {
        state: current?.state,
        notified: current?.notified,
        silencedBy: current?.silencedBy,
        scope: current?.scope,
      };
      if (a.state === 'firing' && !a.notified) this.notifyFiring(a, silences, receivers, now, notifications);
      next.set(fp, a);
      // Evidence changes at every evaluation: write it at most every persistEveryMs unless something else changed.
      const changed =
        !current ||
        before.state !== a.state ||
        before.notified !== a.notified ||
        before.silencedBy !== a.silencedBy ||
        before.scope !== a.scope;
      if (changed || now - (this.persistedAt.get(a.id) ?? 0) >= this.persistEveryMs) {
        upsert.push(a);
        this.persistedAt.set(a.id, now);
      }
    }

    for (const [fp, a] of this.open) {
      if (next.has(fp)) continue;
      if (a.state === 'pending') {
        // It never fired, so nobody was told: forget it rather than keep a resolved alert nobody saw.
        remove.push(a.id);
        this.persistedAt.delete(a.id);
        this.latest.delete(fp);
        transitions.push({ alert: a, from: 'pending', to: 'resolved' });
        continue;
      }
      this.persistedAt.delete(a.id);
      const resolved: AlertRecord = {
        ...a,
        state: 'resolved',
        resolvedAt: now,
        updatedAt: now,
        evidence: { ...a.evidence, resolution: resolution(a, this.latest.get(fp), now) },
      };
      this.latest.delete(fp);
      transitions.push({ alert: resolved, from: 'firing', to: 'resolved' });
      if (resolved.notified) queue(resolved, 'resolved', receivers, now, notifications);
      upsert.push(resolved);
    }

    if (upsert.length > 0 || remove.length > 0)
      await this.store.commitAlertChanges({ upsert, remove, notifications });
    this.open.clear();
    for (const [fp, a] of next) this.open.set(fp, a);
    return transitions;
  }

  /** Queues the firing notification unless a silence holds it back (it is sent when the silence ends). */
  private notifyFiring(
    a: AlertRecord,
    silences: readonly SilenceView[],
    receivers: readonly Receiver[],
    now: number,
    out: NewNotification[],
  ): void {
    const silence = silencing(silences, a.labels, now);
    a.silencedBy = silence?.id ?? null;
    if (silence) return;
    a.notified = true;
    queue(a, 'firing', receivers, now, out);
  }
}

/** What a resolution says: when, and the last values that still held the alert open before it cleared. */
function resolution(
  a: AlertRecord,
  latest: { at: number; finding: Finding } | undefined,
  now: number,
): AlertResolutionView {
  const when = new Date(now).toISOString();
  if (!latest)
    return {
      at: now,
      lastHeldAt: null,
      lastValues: {},
      summary: `resolved at ${when}: no finding since the collector restarted; the rule's condition no longer holds`,
    };
  const held = latest.finding.level === 'hold' ? 'held open below the fire threshold' : 'still firing';
  return {
    at: now,
    lastHeldAt: latest.at,
    lastValues: latest.finding.evidence.values,
    summary:
      `resolved at ${when}: below the ${a.rule} rule's clear threshold; last ${held} at ` +
      `${new Date(latest.at).toISOString()} with ${formatValues(latest.finding.evidence.values)}`,
  };
}

function formatValues(values: Record<string, number | string | boolean | null>): string {
  const parts = Object.entries(values)
    .filter(([, v]) => v !== null && v !== '')
    .slice(0, 8)
    .map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? parts.join(', ') : 'no values';
}

function queue(
  a: AlertRecord,
  kind: NotificationKind,
  receivers: readonly Receiver[],
  now: number,
  out: NewNotification[],
): void {
  for (const r of receivers) {
    out.push({
      eventId: randomUUID(),
      alertId: a.id,
      receiverId: r.id,
      kind,
      alert: alertView(a),
      createdAt: now,
    });
  }
}

/** Several keys (e.g. two probes in one region) can map to one alert: a firing finding wins over a holding one. */
function mergeByFingerprint(findings: readonly Finding[]): Map<string, Finding> {
  const out = new Map<string, Finding>();
  for (const f of findings) {
    const fp = fingerprint(f.rule, f.labels);
    const seen = out.get(fp);
    if (!seen || (seen.level === 'hold' && f.level === 'fire')) out.set(fp, f);
  }
  return out;
}
