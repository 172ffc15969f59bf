import {
  columnRegion,
  isRoutedPath,
  nearestRegion,
  type RegionCode,
  regionDistanceKm,
} from '@flyprobe/shared';
import type { StoredResult } from '../../store/store.ts';
import { inIntervals, staleFor } from '../core/config.ts';
import { countInto, entry } from '../core/keyed.ts';
import { joinKey } from '../core/keys.ts';
import { NUMBER, optional, present, type RecordLayout, RecordRing } from '../core/record-ring.ts';
import {
  edgeRegion,
  type SeriesLabels,
  seriesFindingLabels,
  seriesKey,
  seriesLabels,
} from '../core/result.ts';
import { FaultEnd } from '../core/sequential.ts';
import { Symbols } from '../core/symbols.ts';
import { liveEntries, median, mode, round1 } from '../core/window.ts';
import type { DetectionContext, Detector, Finding } from '../types.ts';
import type { MisrouteConfig } from './index.ts';
import { TargetHealth } from './target-health.ts';

interface AnycastSample {
  id: number;
  at: number;
  edge?: RegionCode;
  served?: RegionCode;
  latencyMs?: number;
}

/** Where a sample's fields are in its record: evaluations read `at` and `served` in place. */
const F_ID = 0;
const F_AT = 1;
const F_SERVED = 2;
const F_EDGE = 3;
const F_LATENCY = 4;

/** A sample as 5 numbers: id, at, served and edge (symbols), latency. */
function sampleLayout(regions: Symbols<RegionCode>): RecordLayout<AnycastSample> {
  return {
    width: 5,
    write: (to, at, s) => {
      to[at + F_ID] = s.id;
      to[at + F_AT] = s.at;
      to[at + F_SERVED] = regions.id(s.served);
      to[at + F_EDGE] = regions.id(s.edge);
      to[at + F_LATENCY] = optional(s.latencyMs);
    },
    read: (from, at) => ({
      id: from[at + F_ID] as number,
      at: from[at + F_AT] as number,
      served: regions.name(from[at + F_SERVED]),
      edge: regions.name(from[at + F_EDGE]),
      latencyMs: present(from[at + F_LATENCY]),
    }),
  };
}

type Expected = NonNullable<ReturnType<typeof nearestRegion>>;

interface AnycastKey extends SeriesLabels {
  samples: RecordRing<AnycastSample>;
  lastAt: number;
  end: FaultEnd;
  /** The served region the last evaluation's finding named (its `region` label), while there was one. */
  named: RegionCode | undefined;
}

type Cause = 'catchment' | 'proxy' | 'unknown';

/**
 * Anycast or Flycast (both routed by fly-proxy to the nearest healthy Machine) served by a region other than the nearest healthy one where the target runs, farther by more than
 * `extraDistanceKm`. The cause is BGP catchment when the edge itself is far from the probe, else the proxy.
 */
export class MisrouteDetector implements Detector<'misroute'> {
  readonly rule = 'misroute' as const;
  private readonly keys = new Map<string, AnycastKey>();
  private readonly health: TargetHealth;
  /** Last edge seen per (probe region, target, path): TCP answers carry no Fly-Region, the catchment is the same. */
  private readonly lastEdge = new Map<string, RegionCode>();
  /** Recent trustworthy pinned and private latencies per path, probe region, target, protocol and region. */
  private readonly direct = new Map<string, RecordRing<number>>();
  private readonly regions = new Symbols<RegionCode>();
  private readonly samples = sampleLayout(this.regions);
  private readonly scratch: AnycastSample = { id: 0, at: 0 };
  /** Healthy regions per target as of the evaluation being run (they do not change during one). */
  private healthy = new Map<string, RegionCode[]>();
  /** When each (target, region) was last judged unhealthy: anycast may avoid it until the edges re-admit it. */
  private readonly lastUnhealthy = new Map<string, number>();

  constructor(
    private readonly config: MisrouteConfig,
    private readonly ctx: DetectionContext,
  ) {
    this.health = new TargetHealth({
      window: config.healthWindow,
      minHealthyRatio: config.minHealthyRatio,
      maxAgeMs: (target) =>
        inIntervals(config.healthMaxAgeIntervals, config.healthMaxAgeMs, ctx.intervalMs(target)),
    });
  }

  observe(r: StoredResult): void {
    this.health.observe(r);
    if ((r.path === 'pinned' || r.path === 'private') && r.targetRegion) {
      if (r.outcome !== 'ok' || r.latencyMs === undefined || r.stream || !this.ctx.trustworthy(r)) return;
      const k = joinKey(r.path, r.probeRegion, r.target, r.protocol, r.targetRegion);
      (this.direct.get(k) ?? entry(this.direct, k, () => new RecordRing(20, NUMBER))).push(r.latencyMs);
      return;
    }
    if (!isRoutedPath(r.path) || r.stream?.event === 'sample') return;
    const served = columnRegion(r);
    const edgeKey = joinKey(r.probeRegion, r.target, r.path);
    const seenEdge = edgeRegion(r);
    if (seenEdge) this.lastEdge.set(edgeKey, seenEdge);
    const edge = seenEdge ?? this.lastEdge.get(edgeKey);
    if (!served) return;
    const k = seriesKey(r);
    const key =
      this.keys.get(k) ??
      entry(this.keys, k, () => ({
        ...seriesLabels(r),
        samples: new RecordRing(Math.max(this.config.window, this.config.clearWindow), this.samples),
        end: new FaultEnd(this.config.clearScore),
        lastAt: 0,
        named: undefined,
      }));
    // One sample object, filled per result and copied into the window.
    const s = this.scratch;
    s.id = r.id;
    s.at = r.startedAt;
    s.served = served;
    s.edge = edge;
    s.latencyMs = r.outcome === 'ok' && this.ctx.trustworthy(r) ? r.latencyMs : undefined;
    key.samples.push(s);
    key.lastAt = Math.max(key.lastAt, r.startedAt);
  }

  evaluate(now: number): Finding<'misroute'>[] {
    this.healthy.clear();
    const findings: Finding<'misroute'>[] = [];
    for (const key of liveEntries(this.keys, now, staleFor(this.config, this.ctx))) {
      const finding = this.judge(key, now);
      key.named = finding?.labels.region;
      if (finding) findings.push(finding);
    }
    return findings;
  }

  private judge(key: AnycastKey, now: number): Finding<'misroute'> | undefined {
    const healthy = this.healthyRegions(key.target, now);
    const expected = nearestRegion(key.probeRegion, healthy);
    if (!expected) return undefined;
    // Served elsewhere while the expected region was down, or before the edges re-admitted it, is correct routing.
    const excusedUntil =
      (this.lastUnhealthy.get(`${key.target}|${expected.code}`) ?? Number.NEGATIVE_INFINITY) +
      inIntervals(
        this.config.recoveryGraceIntervals,
        this.config.recoveryGraceMs,
        this.ctx.intervalMs(key.target),
      );
    if (this.quiet(key, expected, excusedUntil)) return undefined;
    const all = key.samples.toArray();
    const misrouted: Array<AnycastSample & { served: RegionCode; cause: Cause; extraKm: number }> = [];
    for (const s of all) {
      const extraKm = this.extraKm(key, s.served, s.at, expected, excusedUntil);
      if (extraKm === undefined || !s.served) continue;
      misrouted.push({ ...s, served: s.served, cause: this.cause(key.probeRegion, s.edge), extraKm });
    }
    const fireFrom = all.length > this.config.window ? (all[all.length - this.config.window]?.at ?? 0) : 0;
    const recent = misrouted.filter((m) => m.at >= fireFrom).length;
    const misroutedIds = new Set(misrouted.map((m) => m.id));
    const ended = key.end.ended(
      all.map((s) => ({ at: s.at, bad: misroutedIds.has(s.id) })),
      recent >= this.config.fireCount,
    );
    const level = ended
      ? null
      : recent >= this.config.fireCount
        ? 'fire'
        : misrouted.length >= this.config.clearCount
          ? 'hold'
          : null;
    if (!level) return undefined;
    const samples = all.slice(-this.config.window);
    const served = namedRegion(key.named, misrouted);
    const cause = mode(misrouted.map((m) => m.cause))?.value as Cause;
    const edge = mode(misrouted.map((m) => m.edge ?? '?'))?.value ?? '?';
    const anycastMs = median(misrouted.flatMap((m) => (m.latencyMs === undefined ? [] : [m.latencyMs])));
    const penalty = this.penalty(key, expected.code, anycastMs);
    const servedKm = Math.round(regionDistanceKm(key.probeRegion, served) ?? 0);
    const why =
      cause === 'catchment'
        ? `BGP catchment: traffic enters Fly at the far edge ${edge}`
        : cause === 'proxy'
          ? `fly-proxy: the edge ${edge} is near, but it forwarded to ${served}`
          : 'the edge region is unknown';
    const penaltyText =
      penalty.ms === null
        ? `; latency penalty unknown: ${penalty.reason}`
        : `; ${penalty.ms} ms slower than ${penalty.baseline} ${expected.code}`;
    return {
      rule: this.rule,
      labels: { ...seriesFindingLabels(key), region: served },
      level,
      severity: this.config.severity,
      summary:
        `${key.target}: ${key.path} from ${key.probeRegion} (${key.protocol}) is served in ${served} (${servedKm} km) ` +
        `instead of ${expected.code} (${Math.round(expected.distanceKm)} km) in ${recent}/${samples.length} ` +
        `recent samples (${misrouted.length}/${all.length} over the longer clear window); ${cause} misroute (${why})${penaltyText}`,
      evidence: {
        values: {
          expected_region: expected.code,
          served_region: served,
          misrouted_served: servedCounts(misrouted),
          edge_region: edge,
          cause,
          extra_distance_km: Math.round(Math.max(...misrouted.map((m) => m.extraKm))),
          misrouted_recent: recent,
          misrouted_clear_window: misrouted.length,
          latency_penalty_ms: penalty.ms,
          penalty_baseline: penalty.baseline,
          penalty_unknown_reason: penalty.reason,
          anycast_median_ms: anycastMs === undefined ? null : round1(anycastMs),
          baseline_expected_median_ms: penalty.baselineMs,
          healthy_regions: healthy.join(','),
        },
        window: { from: samples[0]?.at ?? now, to: samples.at(-1)?.at ?? now, samples: samples.length },
        sampleIds: misrouted.map((m) => m.id).slice(-10),
        regionSequence: samples.map((s) => ({ at: s.at, edge: s.edge, served: s.served, resultId: s.id })),
      },
    };
  }

  /** Once per target and evaluation; regions judged unhealthy are remembered for the recovery grace. */
  private healthyRegions(target: string, now: number): RegionCode[] {
    const known = this.healthy.get(target);
    if (known) return known;
    const configured = this.ctx.configuredRegions(target);
    const healthy = this.health.healthyRegions(target, configured, now);
    for (const region of configured)
      if (!healthy.includes(region)) this.lastUnhealthy.set(`${target}|${region}`, now);
    this.healthy.set(target, healthy);
    return healthy;
  }

  /** How much farther than the expected region a sample was served, when that makes it misrouted. */
  private extraKm(
    key: AnycastKey,
    served: RegionCode | undefined,
    at: number,
    expected: Expected,
    excusedUntil: number,
  ): number | undefined {
    if (!served || served === expected.code || at <= excusedUntil || at <= key.end.clearedAt)
      return undefined;
    const km = regionDistanceKm(key.probeRegion, served);
    if (km === undefined || km - expected.distanceKm <= this.config.extraDistanceKm) return undefined;
    return km - expected.distanceKm;
  }

  /**
   * True when judging the key would change nothing and find nothing: no open alarm (`FaultEnd.ended` returns at
   * once) and too few misrouted samples to fire or hold. Counted in place, without building the window's
   * samples: almost every key at almost every evaluation.
   */
  private quiet(key: AnycastKey, expected: Expected, excusedUntil: number): boolean {
    if (key.end.open) return false;
    const samples = key.samples;
    // `judge` counts as recent the misrouted samples from the start of the last `window` samples on.
    const fireFrom =
      samples.size > this.config.window ? samples.field(samples.size - this.config.window, F_AT) : 0;
    let misrouted = 0;
    let recent = 0;
    for (let i = 0; i < samples.size; i++) {
      const at = samples.field(i, F_AT);
      if (
        this.extraKm(key, this.regions.name(samples.field(i, F_SERVED)), at, expected, excusedUntil) ===
        undefined
      )
        continue;
      misrouted++;
      if (at >= fireFrom) recent++;
    }
    return recent < this.config.fireCount && misrouted < this.config.clearCount;
  }

  /**
   * Misrouted median latency minus the median to the expected region over the pinned path (same route into
   * Fly, forced region), else the private path (6PN, no edge: a lower bound of what anycast should cost).
   */
  private penalty(
    key: AnycastKey,
    expected: RegionCode,
    anycastMs: number | undefined,
  ): { ms: number | null; baseline: string | null; baselineMs: number | null; reason: string | null } {
    if (anycastMs === undefined)
      return { ms: null, baseline: null, baselineMs: null, reason: 'no trustworthy ok misrouted sample' };
    for (const path of ['pinned', 'private']) {
      const m = median(
        this.direct.get(`${path}|${key.probeRegion}|${key.target}|${key.protocol}|${expected}`)?.toArray() ??
          [],
      );
      if (m !== undefined)
        return { ms: round1(anycastMs - m), baseline: path, baselineMs: round1(m), reason: null };
    }
    return {
      ms: null,
      baseline: null,
      baselineMs: null,
      reason: `no recent pinned or private ${key.protocol} sample from ${key.probeRegion} to ${expected}`,
    };
  }

  private cause(probeRegion: RegionCode, edge: RegionCode | undefined): Cause {
    if (!edge) return 'unknown';
    const km = regionDistanceKm(probeRegion, edge);
    if (km === undefined) return 'unknown';
    return km > this.config.edgeFarKm ? 'catchment' : 'proxy';
  }
}

/**
 * The served region a finding names: the one it named at the last evaluation while that region still serves
 * some of the misrouted samples, else the most common. The region is part of the alert's identity, and
 * misrouted traffic spread over several wrong regions changes its most common one from sample to sample:
 * naming that each time would resolve the alert and open another (or, on a hold, drop it) while the misroute
 * goes on.
 */
function namedRegion(
  named: RegionCode | undefined,
  misrouted: readonly { served: RegionCode }[],
): RegionCode {
  if (named !== undefined && misrouted.some((m) => m.served === named)) return named;
  return mode(misrouted.map((m) => m.served))?.value as RegionCode;
}

/** `region:count` of the misrouted samples, most first (evidence: where the traffic went). */
function servedCounts(misrouted: readonly { served: RegionCode }[]): string {
  const counts = new Map<RegionCode, number>();
  for (const m of misrouted) countInto(counts, m.served);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([region, n]) => `${region}:${n}`)
    .join(',');
}
