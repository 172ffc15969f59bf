/** Wire shapes of the collector's alerts API (`/v1/alerts`, `/v1/silences`), shared with the CLI. */
export const ALERT_STATES = ['pending', 'firing', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export interface AlertEvidenceView {
  values: Record<string, number | string | boolean | null>;
  window: { from: number; to: number; samples: number };
  sampleIds: number[];
  regionSequence?: Array<{ at: number; edge?: string; served?: string; resultId: number }>;
  /** Added when the alert resolves; everything above stays as it was when the alert fired. */
  resolution?: AlertResolutionView;
}

export interface AlertResolutionView {
  /** When the alert resolved. */
  at: number;
  /** The last evaluation that still held the alert open, and its values (absent if it never held). */
  lastHeldAt: number | null;
  lastValues: Record<string, number | string | boolean | null>;
  summary: string;
}

export interface AlertView {
  id: string;
  /** Stable hash of rule + identity labels: the same fault keeps the same fingerprint across episodes. */
  fingerprint: string;
  rule: string;
  state: AlertState;
  /** rule, severity, and where applicable probe_region, target, path, protocol, region (+ rule-specific ones). */
  labels: Record<string, string>;
  severity: 'info' | 'warning' | 'critical';
  scope: 'local' | 'global';
  summary: string;
  evidence: AlertEvidenceView;
  /** When the condition was first seen (pending since). */
  startsAt: number;
  firedAt: number | null;
  resolvedAt: number | null;
  updatedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  /** Id of the silence that held back its notification, if any. */
  silencedBy: string | null;
  /** Context from the cause sources (Machine events, Fly status, resource pressure), attached when read or notified. */
  causes?: AlertCauseView[];
}

/** One thing that happened around an alert's region and window that may explain it. */
export interface AlertCauseView {
  /** The cause source: `machine-events`, `status-page` or `pressure`. */
  source: string;
  /** What kind of thing: `oom_kill`, `crash`, `requested_stop`, `host_migration`, `deploy`, `incident`, `maintenance`, `cpu_throttling`, `memory_pressure`, ... */
  kind: string;
  /** When it happened (or started), Unix epoch ms. */
  at: number;
  region?: string;
  machine?: string;
  /** For pressure: whether the served Machine (`target`) or the measuring probe (`probe`) was under pressure. */
  side?: 'target' | 'probe';
  /** One line for people. */
  summary: string;
  details: Record<string, number | string | boolean | null>;
  url?: string;
}

export interface AlertListResponse {
  alerts: AlertView[];
}

export interface SilenceMatcher {
  name: string;
  value: string;
  /** `value` is an anchored regular expression. */
  isRegex: boolean;
  /** false: the label must NOT match. */
  isEqual: boolean;
}

export interface SilenceView {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  createdAt: number;
  state: 'pending' | 'active' | 'expired';
}
