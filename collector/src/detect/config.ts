import { formatFieldErrors, parseWith } from '@flyprobe/shared';
import { z } from 'zod';
import { type DetectionContext, SEVERITIES, type Severity } from './types.ts';

const ms = z.number().finite().nonnegative();
const positiveInt = z.number().int().min(1);
const ratio = z.number().finite().min(0).max(1);

/**
 * Fields every rule has. `forMs`: how long a finding must keep firing before a pending alert turns firing.
 * Durations are in probe intervals of the target (or mesh) being judged, so one default fits 2 s and 15 s
 * probing alike; the `...Ms` twin of a field, when set, overrides it with a fixed time.
 */
function base(severity: Severity, staleIntervals: number) {
  return {
    enabled: z.boolean().default(true),
    severity: z.enum(SEVERITIES).default(severity),
    forMs: ms.default(0),
    /** A key with no new samples for this many intervals (or `staleMs`) is forgotten (and its alert resolves). */
    staleIntervals: positiveInt.max(1_000_000).default(staleIntervals),
    staleMs: ms.min(1).optional(),
  };
}

/** `ms` when set, else `intervals` probe intervals of `intervalMs`. */
export function inIntervals(intervals: number, ms: number | undefined, intervalMs: number): number {
  return ms ?? intervals * intervalMs;
}

/** A rule's stale time for a key of `target` (without one: the longest configured interval). */
export function staleFor(
  config: { staleIntervals: number; staleMs?: number | undefined },
  ctx: Pick<DetectionContext, 'intervalMs'>,
): (key: { target?: string }) => number {
  return (key) => inIntervals(config.staleIntervals, config.staleMs, ctx.intervalMs(key.target));
}

export const misrouteConfig = z
  .strictObject({
    ...base('warning', 40),
    /** Served region farther than the expected one by more than this is misrouted. */
    extraDistanceKm: ms.default(500),
    /** An edge farther than this from the probe region means BGP catchment, not the proxy, is at fault. */
    edgeFarKm: ms.default(500),
    /** Anycast samples per (probe region, target, protocol) judged at each evaluation. */
    window: positiveInt.max(1000).default(6),
    /** Misrouted samples in the window that open an alert. */
    fireCount: positiveInt.default(2),
    /** Misrouted samples among the newest `clearWindow` that keep it open: a longer window and a lower count. */
    clearCount: positiveInt.default(1),
    clearWindow: positiveInt.max(1000).default(20),
    /** An alert ends early once the clean samples since the last misrouted one reach this evidence (nats). */
    clearScore: z.number().finite().gt(0).default(6.9),
    /** Pinned/private samples per (target, region) that decide whether the region is healthy. */
    healthWindow: positiveInt.max(1000).default(10),
    minHealthyRatio: ratio.default(0.5),
    /** Health evidence older than this is ignored; a configured region without evidence counts as healthy. */
    healthMaxAgeIntervals: positiveInt.max(100_000).default(8),
    healthMaxAgeMs: ms.min(1).optional(),
    /**
     * Anycast samples served elsewhere up to this long after the expected region was last judged unhealthy
     * are not misrouted: the edges' own health checks take a while to send traffic back (and samples taken
     * during the outage are re-judged once the region is healthy again).
     */
    recoveryGraceIntervals: z.number().finite().min(0).default(2),
    recoveryGraceMs: ms.optional(),
  })
  .prefault({});

export const asymmetryConfig = z
  .strictObject({
    ...base('warning', 40),
    /** (a) Mesh RTT medians over this many samples per direction. */
    window: positiveInt.max(1000).default(20),
    minSamples: positiveInt.default(10),
    /** Fire when |A->B - B->A| exceeds max(minDiffMs, diffRatio x the smaller median). */
    minDiffMs: ms.default(10),
    diffRatio: ratio.default(0.25),
    /** Keep an open alert while the difference exceeds clearRatio x the fire threshold. */
    clearRatio: ratio.default(0.5),
    /** (b) One-way change: the newest samples compared with the baseline before them. */
    recentSamples: positiveInt.max(100).default(3),
    baselineSamples: positiveInt.max(1000).default(30),
    minBaselineSamples: positiveInt.default(8),
    /**
     * An RTT step counts when it exceeds max(minStepMs, stepRatio x baseline RTT, noiseMads x the baseline's
     * median absolute deviation): the noise band is estimated from the series itself.
     */
    minStepMs: ms.default(10),
    stepRatio: ratio.default(0.25),
    noiseMads: z.number().finite().min(0).default(6),
    /**
     * Both ends must see the same RTT step (within this share of it), and the forward minus the reverse
     * one-way change must add up to it: RTT is the sum of the two directions, whichever end measures it.
     */
    sumTolerance: ratio.default(0.5),
    /** Share of the RTT step seen in one direction's one-way delay that attributes it to that direction. */
    attributionShare: ratio.default(0.7),
    /** Open a one-way alert only when observers at both ends agree on the direction (one side alone can hold). */
    requireBothSides: z.boolean().default(true),
    /** (c) Catchment asymmetry: P lands at X's edge while X stays local. */
    catchmentWindow: positiveInt.max(1000).default(10),
    catchmentFireShare: ratio.default(0.8),
    catchmentClearShare: ratio.default(0.5),
    catchmentMinDistanceKm: ms.default(500),
  })
  .prefault({});

export const resetsConfig = z
  .strictObject({
    ...base('critical', 40),
    /** Newest trials kept per cell for the evidence and for telling a touched row or column from a clean one. */
    window: positiveInt.max(1000).default(30),
    /** A cell with a failure in its last this many intervals is touched (counts towards its row and column). */
    touchedIntervals: positiveInt.max(10_000).default(10),
    /** Baseline: Beta prior (mean `priorRate`, weight `priorWeight` trials) updated with clean trials... */
    priorRate: z.number().finite().gt(0).lt(1).default(0.003),
    priorWeight: positiveInt.max(100_000).default(300),
    /** ...decaying over this many trials. */
    baselineTrials: positiveInt.max(1_000_000).default(500),
    /** The CUSUM looks for a rate of at least `minRate` and `rateRatio` x the baseline. */
    minRate: z.number().finite().gt(0).lt(1).default(0.08),
    rateRatio: z.number().finite().min(1).default(4),
    /** Log-likelihood ratio (nats) that opens an alarm, and the evidence for the baseline rate that ends it. */
    fireScore: z.number().finite().gt(0).default(9),
    clearScore: z.number().finite().gt(0).default(4.6),
  })
  .prefault({});

export const lossConfig = z
  .strictObject({
    ...base('warning', 40),
    /** Newest samples per (probe region, target, target-side region) judged for firing. */
    window: positiveInt.max(1000).default(20),
    /** Failed or stalled samples among them that fire. */
    fireCount: positiveInt.default(3),
    /** Longer window and lower count that keep an open alert (hysteresis). */
    clearWindow: positiveInt.max(5000).default(60),
    clearCount: positiveInt.default(1),
    /** An alert ends early once the good samples since the last bad one reach this evidence (nats). */
    clearScore: z.number().finite().gt(0).default(6.9),
    /**
     * A sample is stalled above median + max(stallMinMs, stallFactor x median) of its series, in latencyMs
     * or in the TCP handshake. A retransmission costs at least Linux's minimum RTO (200 ms; a handshake 1 s),
     * so the bar sits below it: at exactly 200 ms it missed about half of them.
     */
    stallMinMs: ms.default(150),
    stallFactor: z.number().finite().min(0).default(2),
    /** Ok samples per (path, protocol) series forming the median; stalls need this many first. */
    baselineSamples: positiveInt.max(1000).default(30),
    minBaselineSamples: positiveInt.default(10),
  })
  .prefault({});

export const flappingConfig = z
  .strictObject({
    ...base('warning', 120),
    penaltyPerChange: ms.min(1).default(1000),
    /** RFC 2439 suppress threshold: fire at or above it. */
    suppressThreshold: ms.min(1).default(2000),
    /** RFC 2439 reuse threshold: clear below it. */
    reuseThreshold: ms.min(0).default(750),
    /** Penalty ceiling, so a long flap still clears in bounded time. */
    maxPenalty: ms.min(1).default(6000),
    /** Half-life in probe intervals of the key (measured), unless `halfLifeMs` is set. */
    halfLifeIntervals: z.number().finite().min(1).default(20),
    halfLifeMs: ms.min(1).optional(),
    /** Region changes kept as evidence. */
    sequenceLength: positiveInt.max(200).default(20),
  })
  .prefault({});

export const latencyConfig = z
  .strictObject({
    ...base('warning', 40),
    /** Samples per tumbling window of a cell. */
    windowSamples: positiveInt.max(10_000).default(20),
    quantile: ratio.default(0.95),
    /** Consecutive breaching windows before firing ("sustained"). */
    fireWindows: positiveInt.default(2),
    /** Baseline = median quantile of this many earlier non-breaching windows. */
    baselineWindows: positiveInt.max(1000).default(10),
    minBaselineWindows: positiveInt.default(3),
    /**
     * Breach against the baseline: quantile > baseline x ratio and above it by minDeltaMs, and the window's
     * median above the baseline median by half of minDeltaMs (a sustained shift, not a few host stalls).
     */
    baselineRatio: z.number().finite().min(1).default(1.5),
    baselineMinDeltaMs: ms.default(20),
    /**
     * Breach against the fibre floor: the window's `floorQuantile` > floor x ratio and above it by minExcessMs.
     * The floor is a lower bound, so a path change moves the whole distribution; the median is used because
     * a busy host inflates only the tail. Floors below `floorMinMs` (same region: 0) are raised to it.
     */
    floorRatio: z.number().finite().min(1).default(4),
    floorMinExcessMs: ms.default(80),
    floorQuantile: ratio.default(0.5),
    floorMinMs: ms.default(5),
    /** An open alert stays open while a window exceeds its thresholds scaled by this (0..1)... */
    clearFactor: ratio.default(0.8),
    /** ...and until this many consecutive windows were below them. */
    clearWindows: positiveInt.default(2),
  })
  .prefault({});

export const restartConfig = z
  .strictObject({
    ...base('warning', 5760),
    /** The alert stays firing this many intervals (or `holdMs`) after the last restart seen, then resolves. */
    holdIntervals: positiveInt.max(100_000).default(5),
    holdMs: ms.min(1).optional(),
    /** A start time later by less than this is the same process (clock rounding). */
    minChangeMs: ms.default(1000),
  })
  .prefault({});

export const probeDegradedConfig = z
  .strictObject({
    ...base('info', 20),
    maxEventLoopP99Ms: ms.default(250),
    /** Throttled share of CPU periods between two heartbeats. */
    maxThrottledRatio: ratio.default(0.25),
    /** Heartbeats judged, degraded ones needed to fire and to stay open. */
    window: positiveInt.max(100).default(3),
    fireCount: positiveInt.default(2),
    clearCount: positiveInt.default(1),
  })
  .prefault({});

export const detectionConfig = z.strictObject({
  misroute: misrouteConfig,
  asymmetry: asymmetryConfig,
  resets: resetsConfig,
  loss: lossConfig,
  flapping: flappingConfig,
  latency: latencyConfig,
  restart: restartConfig,
  probe_degraded: probeDegradedConfig,
  scope: z
    .strictObject({
      /** A finding seen from at least this share of a target's active probe regions is global. */
      globalFraction: ratio.default(0.75),
      minRegions: positiveInt.default(2),
    })
    .prefault({}),
});

export type DetectionConfig = z.infer<typeof detectionConfig>;
export type DetectionConfigInput = z.input<typeof detectionConfig>;
export type MisrouteConfig = z.infer<typeof misrouteConfig>;
export type AsymmetryConfig = z.infer<typeof asymmetryConfig>;
export type ResetsConfig = z.infer<typeof resetsConfig>;
export type LossConfig = z.infer<typeof lossConfig>;
export type FlappingConfig = z.infer<typeof flappingConfig>;
export type LatencyConfig = z.infer<typeof latencyConfig>;
export type RestartConfig = z.infer<typeof restartConfig>;
export type ProbeDegradedConfig = z.infer<typeof probeDegradedConfig>;

/** Validates rule overrides (e.g. from FLYPROBE_ALERT_RULES); throws naming every bad field. */
export function parseDetectionConfig(input: unknown): DetectionConfig {
  const r = parseWith(detectionConfig, input ?? {});
  if (!r.ok) throw new Error(`invalid alert rules: ${formatFieldErrors(r.errors)}`);
  const c = r.value;
  const problems: string[] = [];
  if (c.misroute.clearCount > c.misroute.fireCount)
    problems.push('misroute.clearCount: must not exceed fireCount');
  if (c.misroute.fireCount > c.misroute.window) problems.push('misroute.fireCount: must not exceed window');
  if (c.misroute.clearWindow < c.misroute.window)
    problems.push('misroute.clearWindow: must be at least window');
  if (c.loss.clearWindow < c.loss.window) problems.push('loss.clearWindow: must be at least window');
  if (c.loss.fireCount > c.loss.window) problems.push('loss.fireCount: must not exceed window');
  if (c.resets.minRate <= c.resets.priorRate) problems.push('resets.minRate: must exceed priorRate');
  if (c.flapping.reuseThreshold >= c.flapping.suppressThreshold)
    problems.push('flapping.reuseThreshold: must be below suppressThreshold');
  if (c.flapping.maxPenalty < c.flapping.suppressThreshold)
    problems.push('flapping.maxPenalty: must be at least suppressThreshold');
  if (c.probe_degraded.clearCount > c.probe_degraded.fireCount)
    problems.push('probe_degraded.clearCount: must not exceed fireCount');
  if (c.asymmetry.minSamples > c.asymmetry.window)
    problems.push('asymmetry.minSamples: must not exceed window');
  if (problems.length > 0) throw new Error(`invalid alert rules: ${problems.join('; ')}`);
  return c;
}

export function defaultDetectionConfig(): DetectionConfig {
  return parseDetectionConfig({});
}
