import type { RegionCode } from '@flyprobe/shared';
import type { StoredResult } from '../../../store/store.ts';
import { RecordRing } from '../../core/record-ring.ts';
import { median, round1 } from '../../core/window.ts';
import type { DetectionContext, Detector, Finding } from '../../types.ts';
import { type Direction, Directions, MESH_SAMPLE, type MeshSample } from '../direction.ts';
import type { AsymmetryConfig } from '../index.ts';

/** What each direction (mesh or private, `from` measuring `to`) keeps to find RTT steps. */
interface Levels {
  recent: RecordRing<MeshSample>;
  baseline: RecordRing<MeshSample>;
  /** While a step is being reported, the baseline keeps the level from before it. */
  frozen: boolean;
}
type Observer = Direction<Levels>;

interface Step {
  observer: Observer;
  rttStepMs: number;
  owdStepMs: number;
  thresholdMs: number;
  /** The direction whose path got slower. */
  slowFrom: RegionCode;
  slowTo: RegionCode;
  level: 'fire' | 'hold';
}

/**
 * (b) A step in RTT whose one-way part (echo receive time - send time, clock-offset contaminated, so only its
 * change is used) moves by the same amount, which names the slower direction.
 */
export class OneWayAsymmetry implements Detector<'asymmetry'> {
  readonly rule = 'asymmetry' as const;
  private readonly directions: Directions<Levels>;

  constructor(
    private readonly config: AsymmetryConfig,
    ctx: DetectionContext,
  ) {
    this.directions = new Directions(ctx, config, ['mesh', 'private'], () => ({
      recent: new RecordRing(config.recentSamples, MESH_SAMPLE),
      baseline: new RecordRing(config.baselineSamples, MESH_SAMPLE),
      frozen: false,
    }));
  }

  observe(r: StoredResult): void {
    const seen = this.directions.observe(r);
    if (!seen) return;
    const d = seen.direction;
    const evicted = d.frozen ? undefined : d.recent.evictedByPush();
    d.recent.push(seen.sample);
    if (evicted) d.baseline.push(evicted);
  }

  evaluate(now: number): Finding<'asymmetry'>[] {
    const steps: Step[] = [];
    for (const d of this.directions.live(now)) {
      const step = this.step(d);
      d.frozen = step !== undefined;
      if (step) steps.push(step);
    }
    return this.oneWay(steps);
  }

  /** A sustained RTT step seen by `d`, attributed to a direction by how much of it its one-way part carries. */
  private step(d: Observer): Step | undefined {
    const recent = d.recent.toArray();
    const base = d.baseline.toArray();
    if (recent.length < this.config.recentSamples || base.length < this.config.minBaselineSamples)
      return undefined;
    const recentOwd = recent.flatMap((s) => (s.owdMs === undefined ? [] : [s.owdMs]));
    const baseOwd = base.flatMap((s) => (s.owdMs === undefined ? [] : [s.owdMs]));
    if (recentOwd.length < recent.length || baseOwd.length < this.config.minBaselineSamples) return undefined;
    const baseRtt = median(base.map((s) => s.rttMs)) as number;
    const rttStep = (median(recent.map((s) => s.rttMs)) as number) - baseRtt;
    const owdStep = (median(recentOwd) as number) - (median(baseOwd) as number);
    const baseRtts = base.map((s) => s.rttMs);
    const mad = median(baseRtts.map((v) => Math.abs(v - baseRtt))) as number;
    const threshold = Math.max(
      this.config.minStepMs,
      this.config.stepRatio * baseRtt,
      this.config.noiseMads * mad,
    );
    // Firing needs every recent sample above the step (a path change shifts them all; a busy process spikes some).
    const lowestStep = Math.min(...recent.map((s) => s.rttMs)) - baseRtt;
    const level =
      rttStep >= threshold && lowestStep >= threshold
        ? 'fire'
        : rttStep >= this.config.clearRatio * threshold
          ? 'hold'
          : null;
    if (!level) return undefined;
    const share = owdStep / rttStep;
    // Forward (d.from -> d.to) when its one-way delay carries the step, reverse when it carries none of it.
    const forward = share >= this.config.attributionShare;
    if (!forward && !(share <= 1 - this.config.attributionShare)) return undefined;
    return {
      observer: d,
      rttStepMs: rttStep,
      owdStepMs: owdStep,
      thresholdMs: threshold,
      slowFrom: forward ? d.from : d.to,
      slowTo: forward ? d.to : d.from,
      level,
    };
  }

  private oneWay(steps: Step[]): Finding<'asymmetry'>[] {
    const byDirection = new Map<string, Step[]>();
    for (const s of steps) {
      const k = `${s.slowFrom}|${s.slowTo}`;
      byDirection.set(k, [...(byDirection.get(k) ?? []), s]);
    }
    const findings: Finding<'asymmetry'>[] = [];
    for (const group of byDirection.values()) {
      const first = group[0] as Step;
      const level = this.oneWayLevel(group, first);
      const rttStep = Math.max(...group.map((s) => s.rttStepMs));
      const values: Finding['evidence']['values'] = {
        rtt_step_ms: round1(rttStep),
        threshold_ms: round1(first.thresholdMs),
      };
      for (const s of group) {
        const o = `${s.observer.from}_${s.observer.path}_${s.observer.protocol}`;
        values[`owd_step_seen_by_${o}_ms`] = round1(s.owdStepMs);
        values[`rtt_step_seen_by_${o}_ms`] = round1(s.rttStepMs);
      }
      const fwd = median(group.filter((s) => s.observer.from === first.slowFrom).map((s) => s.owdStepMs));
      const rev = median(group.filter((s) => s.observer.from === first.slowTo).map((s) => s.owdStepMs));
      if (fwd !== undefined && rev !== undefined) values.one_way_difference_step_ms = round1(fwd - rev);
      values.observers = group.length;
      const samples = group.flatMap((s) => s.observer.recent.toArray());
      findings.push({
        rule: this.rule,
        // One alert per slow direction, whichever paths and protocols saw it (they are in the evidence).
        labels: { probe_region: first.slowFrom, region: first.slowTo, kind: 'one_way' },
        level,
        severity: this.config.severity,
        summary:
          `the one-way path ${first.slowFrom}->${first.slowTo} got about ${round1(rttStep)} ms slower ` +
          `(RTT step ${round1(rttStep)} ms, matched by the ${first.slowFrom}->${first.slowTo} one-way delay change; the reverse ` +
          `direction is unchanged; seen by ${group.length} path/protocol series): routing between these regions is now asymmetric`,
        evidence: {
          values,
          window: {
            from: Math.min(...samples.map((s) => s.at)),
            to: Math.max(...samples.map((s) => s.at)),
            samples: samples.length,
          },
          sampleIds: samples.map((s) => s.id),
        },
      });
    }
    return findings;
  }

  /**
   * A slow server process delays its receive timestamp just like a slow forward path; only the observer at
   * the other end can tell them apart, so opening an alert needs both ends firing, seeing the same RTT step,
   * and one-way changes that add up to it (forward change minus reverse change = RTT change).
   */
  private oneWayLevel(group: Step[], first: Step): 'fire' | 'hold' {
    if (!this.config.requireBothSides) return group.some((s) => s.level === 'fire') ? 'fire' : 'hold';
    const atEnd = (from: RegionCode) => group.filter((s) => s.observer.from === from && s.level === 'fire');
    const fwd = atEnd(first.slowFrom);
    const rev = atEnd(first.slowTo);
    if (fwd.length === 0 || rev.length === 0) return 'hold';
    const fwdRtt = median(fwd.map((s) => s.rttStepMs)) as number;
    const revRtt = median(rev.map((s) => s.rttStepMs)) as number;
    const rtt = (fwdRtt + revRtt) / 2;
    const tolerance = this.config.sumTolerance * rtt;
    const owdDifference =
      (median(fwd.map((s) => s.owdStepMs)) as number) - (median(rev.map((s) => s.owdStepMs)) as number);
    return Math.abs(fwdRtt - revRtt) <= tolerance && Math.abs(owdDifference - rtt) <= tolerance
      ? 'fire'
      : 'hold';
  }
}
