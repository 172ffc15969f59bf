import type { RegionCode, TargetConfig } from '@flyprobe/shared';
import type { StoredResult } from '../store/store.ts';
import { AsymmetryDetector } from './asymmetry.ts';
import type { DetectionConfig } from './config.ts';
import { FlappingDetector } from './flapping.ts';
import { LatencyDetector } from './latency.ts';
import { LossDetector } from './loss.ts';
import { MisrouteDetector } from './misroute.ts';
import { ProbeDegradedDetector } from './probe-degraded.ts';
import { ResetsDetector } from './resets.ts';
import { RestartDetector } from './restart.ts';
import type { DetectionContext, Detector, Finding, HeartbeatObservation, RuleName } from './types.ts';

/** Until targets are known: the probe's default interval. */
const DEFAULT_INTERVAL_MS = 15_000;

/** Every enabled detector behind one entry point, plus the facts they share. */
export class DetectorRegistry {
  readonly detectors: Detector[];
  private readonly degraded: ProbeDegradedDetector;
  /** Set when the probe_degraded alert is disabled but its state is still needed. */
  private readonly heartbeatOnly: ProbeDegradedDetector | undefined;
  private configured = new Map<string, RegionCode[]>();
  private intervals = new Map<string, number>();
  private meshIntervalMs = DEFAULT_INTERVAL_MS;
  /** Probe regions that recently reported per target, for the local/global call. */
  private readonly activeRegions = new Map<string, Map<RegionCode, number>>();

  constructor(private readonly config: DetectionConfig) {
    const ctx: DetectionContext = {
      configuredRegions: (target) => this.configured.get(target) ?? [],
      trustworthy: (r) => !r.degraded && !this.degraded.isDegraded(r.probeId),
      intervalMs: (target) => this.intervalMs(target),
    };
    this.degraded = new ProbeDegradedDetector(config.probe_degraded, ctx);
    const all: Array<[RuleName, Detector]> = [
      ['misroute', new MisrouteDetector(config.misroute, ctx)],
      ['asymmetry', new AsymmetryDetector(config.asymmetry, ctx)],
      ['resets', new ResetsDetector(config.resets, ctx)],
      ['loss', new LossDetector(config.loss, ctx)],
      ['flapping', new FlappingDetector(config.flapping, ctx)],
      ['latency', new LatencyDetector(config.latency, ctx)],
      ['restart', new RestartDetector(config.restart, ctx)],
      ['probe_degraded', this.degraded],
    ];
    this.detectors = all.filter(([rule]) => config[rule].enabled).map(([, d]) => d);
    // Degradation must be tracked even when its alert is off: it gates the latency detectors.
    if (!config.probe_degraded.enabled) this.heartbeatOnly = this.degraded;
  }

  setTargets(targets: readonly TargetConfig[]): void {
    this.configured = new Map(targets.map((t) => [t.name, [...t.regions]]));
    this.intervals = new Map(targets.map((t) => [t.name, t.intervalMs]));
  }

  /** The mesh interval the collector serves to probes: mesh rule durations are counted in it. */
  setMeshInterval(ms: number): void {
    this.meshIntervalMs = ms;
  }

  /** A target's probe interval; an unknown target (or none) gets the longest one known. */
  intervalMs(target?: string): number {
    if (target === 'mesh') return this.meshIntervalMs;
    const own = target === undefined ? undefined : this.intervals.get(target);
    if (own !== undefined) return own;
    return Math.max(this.meshIntervalMs, ...this.intervals.values());
  }

  observe(results: readonly StoredResult[]): void {
    for (const r of results) {
      let regions = this.activeRegions.get(r.target);
      if (!regions) {
        regions = new Map();
        this.activeRegions.set(r.target, regions);
      }
      regions.set(r.probeRegion, Math.max(regions.get(r.probeRegion) ?? 0, r.startedAt));
      for (const d of this.detectors) d.observe(r);
    }
  }

  observeHeartbeat(o: HeartbeatObservation): void {
    this.heartbeatOnly?.observeHeartbeat(o);
    for (const d of this.detectors) d.observeHeartbeat?.(o);
  }

  /** Every detector's findings with a scope; `activeForMs` bounds which probe regions count as reporting. */
  evaluate(now: number, activeForMs = 10 * 60_000): Finding[] {
    const findings = this.detectors.flatMap((d) => d.evaluate(now));
    const regionsByRuleTarget = new Map<string, Set<string>>();
    for (const f of findings) {
      if (f.scope || !f.labels.probe_region || !f.labels.target) continue;
      const k = `${f.rule}|${f.labels.target}`;
      let set = regionsByRuleTarget.get(k);
      if (!set) {
        set = new Set();
        regionsByRuleTarget.set(k, set);
      }
      set.add(f.labels.probe_region);
    }
    for (const f of findings) {
      if (f.scope) continue;
      const target = f.labels.target;
      const affected = target ? (regionsByRuleTarget.get(`${f.rule}|${target}`)?.size ?? 1) : 1;
      const active = target ? this.activeCount(target, now, activeForMs) : 0;
      const { globalFraction, minRegions } = this.config.scope;
      f.scope =
        active >= minRegions && affected >= minRegions && affected / active >= globalFraction
          ? 'global'
          : 'local';
    }
    return findings;
  }

  private activeCount(target: string, now: number, activeForMs: number): number {
    const regions = this.activeRegions.get(target);
    if (!regions) return 0;
    let n = 0;
    for (const [region, at] of regions) {
      if (now - at <= activeForMs) n++;
      else regions.delete(region);
    }
    return n;
  }
}
