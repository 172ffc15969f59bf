import { columnRegion, isRoutedPath, type RegionCode } from '@flyprobe/shared';
import type { StoredResult } from '../../store/store.ts';
import { joinKey } from '../core/keys.ts';
import { edgeRegion, type SeriesLabels, seriesFindingLabels, seriesLabels } from '../core/result.ts';
import { IntervalEstimate, liveEntries, Ring, round1 } from '../core/window.ts';
import type { DetectionContext, Detector, Finding, RegionStep } from '../types.ts';
import type { FlappingConfig } from './index.ts';

interface RouteKey extends SeriesLabels {
  edge?: RegionCode;
  served?: RegionCode;
  /** Penalty as of `penaltyAt`; decays exponentially from there. */
  penalty: number;
  penaltyAt: number;
  changes: number;
  steps: Ring<RegionStep>;
  interval: IntervalEstimate;
  lastAt: number;
}

/**
 * Route flap damping in the manner of RFC 2439, per (probe, target, path, protocol) on the paths where fly-proxy
 * picks the region (anycast, flycast): each change
 * of served or edge region adds a penalty that halves every half-life; the alert fires at the suppress
 * threshold and clears only below the lower reuse threshold, so the alert does not flap itself.
 */
export class FlappingDetector implements Detector<'flapping'> {
  readonly rule = 'flapping' as const;
  private readonly keys = new Map<string, RouteKey>();

  constructor(
    private readonly config: FlappingConfig,
    private readonly ctx: DetectionContext,
  ) {}

  observe(r: StoredResult): void {
    if (!isRoutedPath(r.path) || r.stream?.event === 'sample') return;
    const served = columnRegion(r);
    const edge = edgeRegion(r);
    if (!served && !edge) return;
    const k = joinKey(r.probeId, r.target, r.path, r.protocol);
    let key = this.keys.get(k);
    if (!key) {
      key = {
        ...seriesLabels(r),
        edge,
        served,
        penalty: 0,
        penaltyAt: r.startedAt,
        changes: 0,
        steps: new Ring(this.config.sequenceLength),
        interval: new IntervalEstimate(),
        lastAt: r.startedAt,
      };
      key.steps.push({ at: r.startedAt, edge, served, resultId: r.id });
      this.keys.set(k, key);
      return;
    }
    // Results of one probe arrive in order; an older one (a late retry) must not count as a change.
    if (r.startedAt < key.lastAt) return;
    key.interval.observe(r.startedAt);
    key.lastAt = r.startedAt;
    const servedChanged = served !== undefined && key.served !== undefined && served !== key.served;
    const edgeChanged = edge !== undefined && key.edge !== undefined && edge !== key.edge;
    if (served) key.served = served;
    if (edge) key.edge = edge;
    if (!servedChanged && !edgeChanged) return;
    key.penalty = Math.min(
      this.config.maxPenalty,
      this.decayed(key, r.startedAt) + this.config.penaltyPerChange,
    );
    key.penaltyAt = r.startedAt;
    key.changes++;
    key.steps.push({ at: r.startedAt, edge, served, resultId: r.id });
  }

  evaluate(now: number): Finding<'flapping'>[] {
    const findings: Finding<'flapping'>[] = [];
    for (const key of liveEntries(
      this.keys,
      now,
      (k) =>
        this.config.staleMs ?? this.config.staleIntervals * k.interval.get(this.ctx.intervalMs(k.target)),
    )) {
      const penalty = this.decayed(key, now);
      const level =
        penalty >= this.config.suppressThreshold
          ? 'fire'
          : penalty >= this.config.reuseThreshold
            ? 'hold'
            : null;
      if (!level) continue;
      const steps = key.steps.toArray();
      const route = steps.map((s) => `${s.edge ?? '?'}>${s.served ?? '?'}`).join(' -> ');
      findings.push({
        rule: this.rule,
        labels: seriesFindingLabels(key),
        level,
        severity: this.config.severity,
        summary:
          `${key.target}: ${key.path} route from ${key.probeRegion} (${key.protocol}) is flapping: ` +
          `${steps.length - 1} edge/served region changes recently (edge>served: ${route}); ` +
          `damping penalty ${Math.round(penalty)} (fires at ${this.config.suppressThreshold}, clears below ${this.config.reuseThreshold}). ` +
          'Long-lived connections from this region are likely being broken.',
        evidence: {
          values: {
            penalty: Math.round(penalty),
            suppress_threshold: this.config.suppressThreshold,
            reuse_threshold: this.config.reuseThreshold,
            half_life_ms: round1(this.halfLifeMs(key)),
            changes_total: key.changes,
            current_edge: key.edge ?? null,
            current_served: key.served ?? null,
          },
          window: { from: steps[0]?.at ?? now, to: now, samples: steps.length },
          sampleIds: steps.map((s) => s.resultId),
          regionSequence: steps,
        },
      });
    }
    return findings;
  }

  private halfLifeMs(key: RouteKey): number {
    return (
      this.config.halfLifeMs ??
      this.config.halfLifeIntervals * key.interval.get(this.ctx.intervalMs(key.target))
    );
  }

  private decayed(key: RouteKey, at: number): number {
    const dt = Math.max(0, at - key.penaltyAt);
    return key.penalty * 2 ** (-dt / this.halfLifeMs(key));
  }
}
