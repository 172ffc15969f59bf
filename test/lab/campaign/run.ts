/**
 * A randomized fault campaign in the namespace lab: real probes (2 s interval by default), edges, targets
 * and collector; faults drawn by `drawFaults` from every class with random regions, magnitudes and
 * durations, separated by clean stretches; then every alert is scored against what was injected.
 */
import type { AlertListResponse, AlertView } from '@flyprobe/shared';
import { prng } from '@flyprobe/shared/testing';
import { startLab } from '../lab.ts';
import { EDGE_PORTS } from '../ports.ts';
import { type CampaignLab, drawFaults, FAULT_CLASSES, type FaultClass, int } from './faults.ts';
import { type CampaignScore, type InjectedFault, scoreCampaign } from './scorer.ts';

export const CAMPAIGN_REGIONS = ['iad', 'dfw', 'lhr', 'fra'];
export const CAMPAIGN_TARGETS = ['iad', 'fra'];

export interface CampaignOptions {
  seed: number;
  faults: number;
  intervalMs?: number;
  /** Clean intervals before the first fault (baselines) and between faults (min, max). */
  warmupIntervals?: number;
  gapIntervals?: [number, number];
  /** Restrict the classes drawn. */
  classes?: readonly FaultClass[];
  log?: (line: string) => void;
}

export interface OutageCheck {
  fault: number;
  /** Results stored afterwards whose measurement started during the outage, per probe region. */
  storedByRegion: Record<string, number>;
  expectedPerRegion: number;
}

export interface CampaignResult {
  seed: number;
  intervalMs: number;
  injected: InjectedFault[];
  alerts: AlertView[];
  score: CampaignScore;
  outages: OutageCheck[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runCampaign(o: CampaignOptions): Promise<CampaignResult> {
  const intervalMs = o.intervalMs ?? 2000;
  const log = o.log ?? (() => undefined);
  const rnd = prng(o.seed);
  const topo = { regions: CAMPAIGN_REGIONS, targetRegions: CAMPAIGN_TARGETS };
  const drawn = drawFaults(rnd, topo, o.faults, o.classes ?? FAULT_CLASSES);
  const [gapMin, gapMax] = o.gapIntervals ?? [6, 10];
  const gaps = drawn.map(() => int(rnd, gapMin, gapMax));
  const warmup = o.warmupIntervals ?? 30;
  const plannedMs =
    (warmup + drawn.reduce((sum, f, i) => sum + f.durationIntervals + (gaps[i] as number), 0) + 20) *
    intervalMs;
  log(`campaign seed ${o.seed}: ${drawn.length} faults, about ${Math.round(plannedMs / 60_000)} min`);
  const lab = await startLab({
    regions: CAMPAIGN_REGIONS,
    targetRegions: CAMPAIGN_TARGETS,
    delays: { scale: 0.5 },
    target: {
      protocols: ['http', 'tcp', 'grpc'],
      intervalMs,
      timeoutMs: 1500,
      grpc: { port: EDGE_PORTS.grpc, streams: 1 },
    },
    maxDurationMs: plannedMs + 10 * 60_000,
    lockTimeoutMs: 30 * 60_000,
    log: process.env.FLYPROBE_LAB_VERBOSE ? log : undefined,
  });
  const collectorEnv: Record<string, string> = {
    FLYPROBE_REPORT_INTERVAL_MS: '500',
    FLYPROBE_CONFIG_POLL_MS: '2000',
    FLYPROBE_INGEST_RATE: '400',
    FLYPROBE_INGEST_BURST: '800',
    FLYPROBE_MESH: 'false',
    FLYPROBE_ALERT_EVAL_MS: '500',
  };
  const c: CampaignLab = { lab, intervalMs, collectorEnv };
  const injected: InjectedFault[] = [];
  const outages: OutageCheck[] = [];
  try {
    await lab.startCollector(collectorEnv);
    // Samples taken while a probe's event loop lagged are flagged and kept out of latency judgements.
    for (const r of CAMPAIGN_REGIONS) await lab.startProbe(r, { FLYPROBE_DEGRADED_LAG_MS: '100' });
    const from = Date.now();
    await sleep(warmup * intervalMs);
    for (const [i, f] of drawn.entries()) {
      log(
        `fault ${i + 1}/${drawn.length} [${f.faultClass}] ${f.description} for ${f.durationIntervals} intervals`,
      );
      // From the moment the fault is applied: a restart's refusals start before its new process is up.
      const injectedAt = Date.now();
      await f.inject(c);
      await sleep(f.durationIntervals * intervalMs);
      await f.remove(c);
      const removedAt = Date.now();
      injected.push({
        id: i + 1,
        faultClass: f.faultClass,
        description: f.description,
        injectedAt,
        removedAt,
        expect: f.expect,
        allow: f.allow,
      });
      await sleep((gaps[i] as number) * intervalMs);
    }
    await sleep(10 * intervalMs);
    const to = Date.now();
    // Checked at the end: the probes' spools drain at their own pace after the collector is back.
    for (const f of injected)
      if (f.faultClass === 'collector_outage')
        outages.push(await outageCheck(lab, f.id, f.injectedAt, f.removedAt, intervalMs));
    const alerts = (await lab.api<AlertListResponse>('/v1/alerts?limit=1000')).alerts;
    const score = scoreCampaign(injected, alerts, { intervalMs, from, to, graceMs: 8 * intervalMs });
    return { seed: o.seed, intervalMs, injected, alerts, score, outages };
  } finally {
    await lab.stop();
  }
}

/** Whether the results measured while the collector was down arrived afterwards (spooled by the probes). */
async function outageCheck(
  lab: Awaited<ReturnType<typeof startLab>>,
  fault: number,
  from: number,
  to: number,
  intervalMs: number,
): Promise<OutageCheck> {
  const storedByRegion: Record<string, number> = {};
  for (const region of CAMPAIGN_REGIONS) {
    const q = `/v1/results?target=web&probeRegion=${region}&path=private&protocol=http&since=${from}&until=${to}&limit=1000`;
    const { results } = await lab.api<{ results: unknown[] }>(q);
    storedByRegion[region] = results.length;
  }
  // One private http result per target region and interval.
  return {
    fault,
    storedByRegion,
    expectedPerRegion: Math.floor((to - from) / intervalMs) * CAMPAIGN_TARGETS.length,
  };
}
