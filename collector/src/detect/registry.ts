import type { RegionCode, TargetConfig } from '@flyprobe/shared';
import type { StoredResult } from '../store/store.ts';
import type { DetectionConfig } from './config.ts';
import { entry } from './core/keyed.ts';
import { DETECTORS } from './detectors.ts';
import type { DetectionContext, Detector, Finding, HeartbeatObservation } from './types.ts';

/** Until targets are known: the probe's default interval. */
const DEFAULT_INTERVAL_MS = 15_000;

/** Every enabled detector behind one entry point, plus the facts they share. */
export class DetectorRegistry {
  /** The enabled detectors: observed and evaluated. */
  readonly detectors: Detector[];
  /** Disabled detectors that judge trust (`distrusts`): other rules rely on them, so they keep observing. */
  private readonly trustOnly: Detector[];
  private readonly judgesTrust: Detector[];
  private configured = new Map<string, RegionCode[]>();
  private intervals = new Map<string, number>();
  private meshIntervalMs = DEFAULT_INTERVAL_MS;
  /** Probe regions that recently reported per target, for the local/global call. */
  private readonly activeRegions = new Map<string, Map<RegionCode, number>>();
  /**
   * The last result judged for trust and its verdict: most detectors ask about every result they observe, and
   * trust changes only with a heartbeat (`observeHeartbeat` forgets it).
   */
  private trustOf: StoredResult | undefined;
  private trusted = false;

  constructor(private readonly config: DetectionConfig) {
    const deps: DetectionContext = {
      configuredRegions: (target) => this.configured.get(target) ?? [],
      trustworthy: (r) => this.trustworthy(r),
      intervalMs: (target) => this.intervalMs(target),
    };
    const all = DETECTORS.map((m) => ({
      enabled: config[m.rule].enabled,
      detector: m.createIn(config, deps),
    }));
    this.detectors = all.filter((d) => d.enabled).map((d) => d.detector);
    this.judgesTrust = all.filter((d) => d.detector.distrusts).map((d) => d.detector);
    this.trustOnly = all.filter((d) => !d.enabled && d.detector.distrusts).map((d) => d.detector);
  }

  /** Whether rules may use `r` (`DetectionContext.trustworthy`): not flagged degraded, no detector distrusts it. */
  trustworthy(r: StoredResult): boolean {
    if (r !== this.trustOf) {
      this.trustOf = r;
      this.trusted = !r.degraded && !this.distrusted(r);
    }
    return this.trusted;
  }

  /** A loop, not `some` with a closure: it runs several times per result. */
  private distrusted(r: StoredResult): boolean {
    for (const d of this.judgesTrust) if (d.distrusts?.(r)) return true;
    return false;
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
      // get first: the factory closure is built only for a new target, not per result.
      const regions =
        this.activeRegions.get(r.target) ??
        entry(this.activeRegions, r.target, () => new Map<RegionCode, number>());
      if (r.startedAt > (regions.get(r.probeRegion) ?? 0)) regions.set(r.probeRegion, r.startedAt);
      for (const d of this.detectors) d.observe(r);
    }
  }

  observeHeartbeat(o: HeartbeatObservation): void {
    this.trustOf = undefined;
    for (const d of this.trustOnly) d.observeHeartbeat?.(o);
    for (const d of this.detectors) d.observeHeartbeat?.(o);
  }

  /** Every detector's findings with a scope; `activeForMs` bounds which probe regions count as reporting. */
  evaluate(now: number, activeForMs = 10 * 60_000): Finding[] {
    const findings: Finding[] = this.detectors.flatMap((d) => d.evaluate(now));
    const regionsByRuleTarget = new Map<string, Set<string>>();
    for (const f of findings) {
      if (f.scope || !f.labels.probe_region || !f.labels.target) continue;
      entry(regionsByRuleTarget, `${f.rule}|${f.labels.target}`, () => new Set<string>()).add(
        f.labels.probe_region,
      );
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
