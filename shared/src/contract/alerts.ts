import { z } from 'zod';
import { identifier, plainText } from '../schema/common.ts';

/** Wire shapes of the collector's alerts API (`/v1/alerts`, `/v1/silences`, `/v1/receivers`), shared with the CLI. */
export const ALERT_STATES = ['pending', 'firing', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

const int = z.number().int();
const scalar = z.union([z.number(), z.string(), z.boolean(), z.null()]);

export const alertResolutionView = z.strictObject({
  /** When the alert resolved. */
  at: int,
  /** The last evaluation that still held the alert open, and its values (absent if it never held). */
  lastHeldAt: int.nullable(),
  lastValues: z.record(z.string(), scalar),
  summary: z.string(),
});
export type AlertResolutionView = z.infer<typeof alertResolutionView>;

export const alertEvidenceView = z.strictObject({
  values: z.record(z.string(), scalar),
  window: z.strictObject({ from: int, to: int, samples: int }),
  sampleIds: z.array(int),
  regionSequence: z
    .array(
      z.strictObject({ at: int, edge: z.string().optional(), served: z.string().optional(), resultId: int }),
    )
    .optional(),
  /** Added when the alert resolves; everything above stays as it was when the alert fired. */
  resolution: alertResolutionView.optional(),
});
export type AlertEvidenceView = z.infer<typeof alertEvidenceView>;

/** One thing that happened around an alert's region and window that may explain it. */
export const alertCauseView = z.strictObject({
  /** The cause source: `machine-events`, `status-page` or `pressure`. */
  source: z.string(),
  /** What kind of thing: `oom_kill`, `crash`, `requested_stop`, `host_migration`, `deploy`, `incident`, `maintenance`, `cpu_throttling`, `memory_pressure`, ... */
  kind: z.string(),
  /** When it happened (or started), Unix epoch ms. */
  at: int,
  region: z.string().optional(),
  machine: z.string().optional(),
  /** For pressure: whether the served Machine (`target`) or the measuring probe (`probe`) was under pressure. */
  side: z.enum(['target', 'probe']).optional(),
  /** One line for people. */
  summary: z.string(),
  details: z.record(z.string(), scalar),
  url: z.string().optional(),
});
export type AlertCauseView = z.infer<typeof alertCauseView>;

export const alertView = z.strictObject({
  id: z.string(),
  /** Stable hash of rule + identity labels: the same fault keeps the same fingerprint across episodes. */
  fingerprint: z.string(),
  rule: z.string(),
  state: z.enum(ALERT_STATES),
  /** rule, severity, and where applicable probe_region, target, path, protocol, region (+ rule-specific ones). */
  labels: z.record(z.string(), z.string()),
  severity: z.enum(['info', 'warning', 'critical']),
  scope: z.enum(['local', 'global']),
  summary: z.string(),
  evidence: alertEvidenceView,
  /** When the condition was first seen (pending since). */
  startsAt: int,
  firedAt: int.nullable(),
  resolvedAt: int.nullable(),
  updatedAt: int,
  acknowledgedAt: int.nullable(),
  acknowledgedBy: z.string().nullable(),
  /** Id of the silence that held back its notification, if any. */
  silencedBy: z.string().nullable(),
  /** Context from the cause sources (Machine events, Fly status, resource pressure), attached when read or notified. */
  causes: z.array(alertCauseView).optional(),
});
export type AlertView = z.infer<typeof alertView>;

export const alertListResponse = z.strictObject({ alerts: z.array(alertView) });
export type AlertListResponse = z.infer<typeof alertListResponse>;

export const silenceMatcher = z.strictObject({
  name: z.string(),
  value: z.string(),
  /** `value` is an anchored regular expression. */
  isRegex: z.boolean(),
  /** false: the label must NOT match. */
  isEqual: z.boolean(),
});
export type SilenceMatcher = z.infer<typeof silenceMatcher>;

export const silenceView = z.strictObject({
  id: z.string(),
  matchers: z.array(silenceMatcher),
  startsAt: int,
  endsAt: int,
  createdBy: z.string(),
  comment: z.string(),
  createdAt: int,
  state: z.enum(['pending', 'active', 'expired']),
});
export type SilenceView = z.infer<typeof silenceView>;

export const silenceListResponse = z.strictObject({ silences: z.array(silenceView) });
export const silenceExpired = z.strictObject({ id: z.string(), state: z.literal('expired') });

/** Longest silence; longer ones are refused naming `endsAt` or `durationMs`. */
export const MAX_SILENCE_MS = 90 * 24 * 3_600_000;

export const silenceRequest = z.strictObject({
  matchers: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(64),
        value: z.string().max(256),
        isRegex: z.boolean().default(false),
        isEqual: z.boolean().default(true),
      }),
    )
    .min(1, { message: 'at least one matcher is required' })
    .max(20),
  startsAt: z.number().int().positive().optional(),
  endsAt: z.number().int().positive().optional(),
  /** Alternative to endsAt. */
  durationMs: z.number().int().positive().max(MAX_SILENCE_MS).optional(),
  comment: z.string().max(512).default(''),
  createdBy: z.string().min(1).max(128).optional(),
});

export const ackRequest = z.strictObject({
  by: plainText(128).min(1).optional(),
  comment: plainText(512).optional(),
});

export const RECEIVER_KINDS = ['webhook', 'slack', 'alertmanager'] as const;
export type ReceiverKind = (typeof RECEIVER_KINDS)[number];

export const receiverRequest = z.strictObject({
  kind: z.enum(RECEIVER_KINDS),
  url: z.string().min(1).max(2048),
  secret: z.string().min(16, { message: 'must be at least 16 characters' }).max(256).optional(),
  name: identifier.optional(),
});

/** A receiver as the API shows it: never its secret, and its URL with credentials redacted. */
export const receiverView = z.strictObject({
  /** `env:<kind>` for receivers from environment variables; a random id for ones added through the API. */
  id: z.string(),
  kind: z.enum(RECEIVER_KINDS),
  url: z.string(),
  name: z.string().nullable(),
  source: z.enum(['env', 'api']),
  createdAt: int,
  hasSecret: z.boolean(),
});
export type ReceiverView = z.infer<typeof receiverView>;
export const receiverListResponse = z.strictObject({ receivers: z.array(receiverView) });
