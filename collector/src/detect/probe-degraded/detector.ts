import type { Heartbeat, RegionCode } from '@flyprobe/shared';
import type { StoredResult } from '../../store/store.ts';
import { staleFor } from '../core/config.ts';
import { entry } from '../core/keyed.ts';
import { liveEntries, Ring, round1 } from '../core/window.ts';
import type { DetectionContext, Detector, Finding, HeartbeatObservation } from '../types.ts';
import type { ProbeDegradedConfig } from './index.ts';

/** One health window of the probe, as its heartbeats report it. */
interface Beat {
  at: number;
  /** Above this rule's thresholds: counts towards the alert. */
  degraded: boolean;
  reason: string | null;
}

interface ProbeState {
  probeId: string;
  region: RegionCode;
  beats: Ring<Beat>;
  previous: Heartbeat | undefined;
  /** The probe's own (stricter) verdict or this rule's, from the latest heartbeat: excludes its samples. */
  untrusted: boolean;
  flaggedResults: number;
  lastResultId: number | undefined;
  lastAt: number;
}

/**
 * A probe whose event loop lags or whose CPU is throttled measures its own slowness. Its heartbeats decide
 * whether it is degraded now (its latency samples are then excluded elsewhere) and the probe itself is reported.
 */
export class ProbeDegradedDetector implements Detector<'probe_degraded'> {
  readonly rule = 'probe_degraded' as const;
  private readonly probes = new Map<string, ProbeState>();

  constructor(
    private readonly config: ProbeDegradedConfig,
    private readonly ctx: Pick<DetectionContext, 'intervalMs'>,
  ) {}

  /**
   * Whether the probe's latest heartbeat says its measurements cannot be trusted. Excluding samples is cheap,
   * so the probe's own verdict (its lag threshold is usually lower) counts here, while the alert needs this
   * rule's thresholds to be crossed.
   */
  distrusts(r: StoredResult): boolean {
    return this.probes.get(r.probeId)?.untrusted ?? false;
  }

  observe(r: StoredResult): void {
    if (!r.degraded) return;
    const p = this.state(r.probeId, r.probeRegion);
    p.flaggedResults++;
    p.lastResultId = r.id;
  }

  observeHeartbeat(o: HeartbeatObservation): void {
    const p = this.state(o.probeId, o.probeRegion);
    const reason = this.reason(o.heartbeat, p.previous);
    p.untrusted = reason !== null || o.heartbeat.degraded;
    // Every batch carries a heartbeat, but its event-loop and CPU figures are those of the probe's last closed
    // health window (seconds long): repeats of one window must count once, or a single slow window would
    // look like a sustained degradation.
    const sameWindow = p.previous !== undefined && sameHealthWindow(p.previous, o.heartbeat);
    if (sameWindow) {
      const last = p.beats.last();
      if (last) last.at = o.receivedAt;
    } else {
      p.beats.push({ at: o.receivedAt, degraded: reason !== null, reason });
      p.previous = o.heartbeat;
    }
    p.lastAt = Math.max(p.lastAt, o.receivedAt);
  }

  private reason(hb: Heartbeat, previous: Heartbeat | undefined): string | null {
    const reasons: string[] = [];
    if (hb.eventLoopDelayMs.p99 > this.config.maxEventLoopP99Ms)
      reasons.push(
        `event-loop delay p99 ${round1(hb.eventLoopDelayMs.p99)} ms > ${this.config.maxEventLoopP99Ms} ms`,
      );
    const now = hb.cpuThrottle;
    const before = previous?.cpuThrottle;
    if (now && before && now.nrPeriods > before.nrPeriods) {
      const share = (now.nrThrottled - before.nrThrottled) / (now.nrPeriods - before.nrPeriods);
      if (share > this.config.maxThrottledRatio)
        reasons.push(`CPU throttled in ${Math.round(share * 100)}% of cgroup periods`);
    }
    return reasons.length > 0 ? reasons.join('; ') : null;
  }

  private state(probeId: string, region: RegionCode): ProbeState {
    return entry(this.probes, probeId, () => ({
      probeId,
      region,
      beats: new Ring<Beat>(this.config.window),
      previous: undefined,
      untrusted: false,
      flaggedResults: 0,
      lastResultId: undefined,
      lastAt: 0,
    }));
  }

  evaluate(now: number): Finding<'probe_degraded'>[] {
    const findings: Finding<'probe_degraded'>[] = [];
    for (const p of liveEntries(this.probes, now, () => staleFor(this.config, this.ctx)({}))) {
      const beats = p.beats.toArray();
      const bad = beats.filter((b) => b.degraded);
      const level =
        bad.length >= this.config.fireCount ? 'fire' : bad.length >= this.config.clearCount ? 'hold' : null;
      if (!level) continue;
      const reason = bad.at(-1)?.reason ?? 'degraded';
      findings.push({
        rule: this.rule,
        labels: { probe_region: p.region, probe: p.probeId },
        level,
        severity: this.config.severity,
        scope: 'local',
        summary:
          `probe ${p.probeId} in ${p.region} is degraded (${reason}) in ${bad.length}/${beats.length} recent heartbeats; ` +
          'its latency samples are excluded from latency alerts until it recovers. Give it more CPU or fewer checks.',
        evidence: {
          values: {
            degraded_heartbeats: bad.length,
            heartbeats: beats.length,
            reason,
            flagged_results: p.flaggedResults,
          },
          window: { from: beats[0]?.at ?? now, to: beats.at(-1)?.at ?? now, samples: beats.length },
          sampleIds: p.lastResultId === undefined ? [] : [p.lastResultId],
        },
      });
    }
    return findings;
  }
}

function sameHealthWindow(a: Heartbeat, b: Heartbeat): boolean {
  const la = a.eventLoopDelayMs;
  const lb = b.eventLoopDelayMs;
  return (
    la.p50 === lb.p50 &&
    la.p99 === lb.p99 &&
    la.max === lb.max &&
    a.cpuThrottle?.nrPeriods === b.cpuThrottle?.nrPeriods &&
    a.cpuThrottle?.nrThrottled === b.cpuThrottle?.nrThrottled
  );
}
