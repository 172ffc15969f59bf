import { readFileSync } from 'node:fs';
import { type DetectionConfig, parseDetectionConfig } from '../detect/config.ts';
import { DEFAULT_DELIVERY, type DeliveryOptions } from './outbox/worker.ts';
import { type AlertmanagerTls, alertmanagerTlsFromEnv } from './providers/alertmanager/index.ts';
import { receiversFromEnv } from './receivers.ts';
import type { Receiver } from './types.ts';

/** Everything the alerting plugin needs; `alertingSettingsFromEnv` fills it from FLYPROBE_* variables. */
export interface AlertingSettings {
  enabled: boolean;
  detection: DetectionConfig;
  receivers: Receiver[];
  /** Detectors are evaluated this often, and shortly after every ingest. */
  evaluateIntervalMs: number;
  /** On start, detector windows are rebuilt from raw results this far back (at most `warmupMaxResults`). */
  warmupMs: number;
  warmupMaxResults: number;
  delivery: DeliveryOptions;
  /** Per-request timeout of a delivery. */
  deliveryTimeoutMs: number;
  /** Base URL for links in notifications (Alertmanager generatorURL). */
  publicUrl: string | null;
  /** Resolved alerts and finished notifications are kept this long. */
  historyMs: number;
  /**
   * Detector leader lease (FLYPROBE_LEADER_LEASE_MS): collectors sharing a PostgreSQL store run detection and
   * delivery on the lease holder only; a dead leader is replaced within this plus a fifth of it.
   */
  leaderLeaseMs: number;
  /** How often the leader reads results other collectors stored (shared stores only). */
  feedPollMs: number;
  /** TLS towards every Alertmanager receiver (FLYPROBE_ALERTMANAGER_CA_FILE, _CERT_FILE, ...). */
  alertmanagerTls: AlertmanagerTls | null;
}

export function positive(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new Error(`${name}: must be an integer from 1 to ${max}, got "${raw}"`);
  return n;
}

/**
 * FLYPROBE_ALERTS (on by default), FLYPROBE_ALERT_RULES (JSON file of per-rule overrides), FLYPROBE_ALERT_EVAL_MS,
 * FLYPROBE_ALERT_MAX_ATTEMPTS, FLYPROBE_PUBLIC_URL, FLYPROBE_ALERT_HISTORY_DAYS, FLYPROBE_LEADER_LEASE_MS and the
 * receivers' variables.
 * Throws naming the bad variable or rule field.
 */
export function alertingSettingsFromEnv(env: NodeJS.ProcessEnv): AlertingSettings {
  const flag = env.FLYPROBE_ALERTS?.trim().toLowerCase();
  if (flag && !['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'].includes(flag))
    throw new Error(`FLYPROBE_ALERTS: must be true or false, got "${flag}"`);
  let rules: unknown = {};
  const rulesFile = env.FLYPROBE_ALERT_RULES?.trim();
  if (rulesFile) {
    try {
      rules = JSON.parse(readFileSync(rulesFile, 'utf8'));
    } catch (error) {
      throw new Error(
        `FLYPROBE_ALERT_RULES: cannot read "${rulesFile}" as JSON: ${(error as Error).message}`,
      );
    }
  }
  let detection: DetectionConfig;
  try {
    detection = parseDetectionConfig(rules);
  } catch (error) {
    throw new Error(`FLYPROBE_ALERT_RULES: ${(error as Error).message}`);
  }
  return {
    enabled: !flag || ['1', 'true', 'on', 'yes'].includes(flag),
    detection,
    receivers: receiversFromEnv(env),
    evaluateIntervalMs: positive(env, 'FLYPROBE_ALERT_EVAL_MS', 1000, 3_600_000),
    warmupMs: 15 * 60_000,
    warmupMaxResults: 50_000,
    delivery: {
      ...DEFAULT_DELIVERY,
      maxAttempts: positive(env, 'FLYPROBE_ALERT_MAX_ATTEMPTS', DEFAULT_DELIVERY.maxAttempts, 1000),
    },
    deliveryTimeoutMs: 10_000,
    publicUrl: env.FLYPROBE_PUBLIC_URL?.trim() || null,
    historyMs: positive(env, 'FLYPROBE_ALERT_HISTORY_DAYS', 30, 3650) * 86_400_000,
    leaderLeaseMs: Math.max(1000, positive(env, 'FLYPROBE_LEADER_LEASE_MS', 5000, 600_000)),
    feedPollMs: 250,
    alertmanagerTls: alertmanagerTlsFromEnv(env),
  };
}
