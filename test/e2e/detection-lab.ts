import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertListResponse, AlertView } from '@flyprobe/shared';
import { type Lab, startLab, waitFor } from '../lab/index.ts';
import { FAST_COLLECTOR_ENV } from './lab-helpers.ts';

/** Lab layout and alert rules shared by the detection validation and the detection benchmark. */
export const DETECTION_REGIONS = ['iad', 'dfw', 'lhr', 'fra'];
export const DETECTION_TARGETS = ['iad', 'fra'];
/**
 * 400 ms keeps the lab's ~12 processes (4 probes with 10 checks per interval, 2 targets, edges, the WAN
 * emulator, the collector) well inside two cores; at 250 ms the host itself was the main source of latency.
 */
export const PROBE_INTERVAL_MS = 400;

/**
 * Two thresholds on the same event-loop lag: above the probe's own (low) one its samples carry the degraded
 * flag and stay out of the latency-based rules (cheap, and it removes host stalls at the source); only above
 * the collector rule's (high) one is the probe itself reported. A shared 2-core CI host lags a few hundred
 * ms now and then, which is not worth an alert.
 */
export const PROBE_DEGRADED_LAG_MS = 100;
export const LAB_DEGRADED_LAG_MS = 400;

/**
 * Rule overrides for this lab. Rule durations are in probe intervals, so 400 ms needs no rescaling; what is
 * left are the lab's own facts (a busy host, edges that health-check every second). Each is documented in
 * docs/ALERTS.md; only windows and a few thresholds change, never the logic.
 */
export const LAB_RULES = {
  probe_degraded: { maxEventLoopP99Ms: LAB_DEGRADED_LAG_MS },
  loss: { window: 12, fireCount: 3, clearWindow: 40 },
  latency: { fireWindows: 3 },
  // The lab's edges health-check their backends every second (fly-proxy: every few seconds).
  misroute: { recoveryGraceMs: 3000 },
};

export async function startDetectionLab(extraEnv: Record<string, string> = {}): Promise<Lab> {
  const lab = await startLab({
    regions: DETECTION_REGIONS,
    targetRegions: DETECTION_TARGETS,
    delays: { scale: 0.5 },
    target: { protocols: ['http', 'tcp'], intervalMs: PROBE_INTERVAL_MS, timeoutMs: 2000 },
    log: process.env.FLYPROBE_LAB_VERBOSE ? (line) => console.log(`[lab] ${line}`) : undefined,
  });
  try {
    const rules = join(lab.dir, 'alert-rules.json');
    writeFileSync(rules, JSON.stringify(LAB_RULES));
    await lab.startCollector({
      ...FAST_COLLECTOR_ENV,
      FLYPROBE_REPORT_INTERVAL_MS: '100',
      FLYPROBE_INGEST_RATE: '400',
      FLYPROBE_INGEST_BURST: '800',
      FLYPROBE_MESH: 'false',
      FLYPROBE_ALERT_RULES: rules,
      FLYPROBE_ALERT_EVAL_MS: '200',
      ...extraEnv,
    });
    for (const r of DETECTION_REGIONS)
      await lab.startProbe(r, { FLYPROBE_DEGRADED_LAG_MS: String(PROBE_DEGRADED_LAG_MS) });
    return lab;
  } catch (error) {
    await lab.stop();
    throw error;
  }
}

export async function listAlerts(lab: Lab, query = ''): Promise<AlertView[]> {
  return (await lab.api<AlertListResponse>(`/v1/alerts?limit=1000${query}`)).alerts;
}

function matches(a: AlertView, rule: string, labels: Record<string, string>): boolean {
  return a.rule === rule && Object.entries(labels).every(([k, v]) => a.labels[k] === v);
}

export interface Episode {
  alert: AlertView;
  injectedAt: number;
  removedAt: number;
  /** ms from injection to firing, and from removal to resolution. */
  detectMs: number;
  resolveMs: number;
}

/**
 * Injects a fault, waits for the alert of `rule` with `labels` to fire (it must not have been open before),
 * removes the fault and waits for that alert to resolve.
 */
export async function faultEpisode(
  lab: Lab,
  spec: {
    rule: string;
    labels: Record<string, string>;
    inject: () => Promise<unknown>;
    remove: () => Promise<unknown>;
  },
  timeouts = { fireMs: 30_000, resolveMs: 90_000 },
): Promise<Episode> {
  const before = new Set((await listAlerts(lab)).map((a) => a.id));
  // Measured from the moment the fault is in place (a restart, for one, takes the target's boot time).
  await spec.inject();
  const injectedAt = Date.now();
  const fired = await waitFor(
    `${spec.rule} ${JSON.stringify(spec.labels)} firing`,
    async () =>
      (await listAlerts(lab, '&state=firing')).find(
        (a) => !before.has(a.id) && matches(a, spec.rule, spec.labels),
      ),
    timeouts.fireMs,
    50,
  );
  const removedAt = Date.now();
  await spec.remove();
  const resolved = await waitFor(
    `${spec.rule} ${JSON.stringify(spec.labels)} resolved`,
    async () => {
      const a = await lab.api<AlertView>(`/v1/alerts/${fired.id}`);
      return a.state === 'resolved' ? a : undefined;
    },
    timeouts.resolveMs,
    100,
  );
  return {
    alert: fired,
    injectedAt,
    removedAt,
    detectMs: (fired.firedAt ?? 0) - injectedAt,
    resolveMs: (resolved.resolvedAt ?? 0) - removedAt,
  };
}
