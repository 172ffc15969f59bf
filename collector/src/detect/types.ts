import type { Heartbeat, RegionCode } from '@flyprobe/shared';
import type { StoredResult } from '../store/store.ts';
import type { Severity } from './core/severity.ts';
import type { RuleName } from './detectors.ts';

export { SEVERITIES, type Severity } from './core/severity.ts';
export type { RuleName } from './detectors.ts';
// Derived from the detector list; re-exported here, where the finding types are.
export { RULES } from './detectors.ts';

/** Whether a fault is confined to some regions or seen from all of them. */
export type Scope = 'local' | 'global';

/** One point of a route history: which edge accepted and which region served a probe's request. */
export interface RegionStep {
  at: number;
  edge?: RegionCode;
  served?: RegionCode;
  resultId: number;
}

/** Why a detector believes what it reports: the numbers, over which window, and which stored results. */
export interface Evidence {
  values: Record<string, number | string | boolean | null>;
  window: { from: number; to: number; samples: number };
  /** Store ids of representative results (bounded). */
  sampleIds: number[];
  regionSequence?: RegionStep[];
}

/**
 * A detector's verdict for one key at one evaluation. `fire`: above the fire threshold (opens an alert);
 * `hold`: between the clear and the fire threshold (keeps an open alert, never opens one). A key absent from
 * an evaluation is below its clear threshold, which resolves its alert.
 */
export interface Finding<R extends string = RuleName> {
  rule: R;
  /** Identity labels without `rule` and `severity`: probe_region, target, path, protocol, region, ... */
  labels: Record<string, string>;
  level: 'fire' | 'hold';
  severity: Severity;
  /** Set by detectors that judge it themselves; otherwise the registry classifies it. */
  scope?: Scope;
  summary: string;
  evidence: Evidence;
}

export interface HeartbeatObservation {
  probeId: string;
  probeRegion: RegionCode;
  heartbeat: Heartbeat;
  receivedAt: number;
}

/**
 * One detection rule's running state. `observe` runs for every stored result and must be O(1) amortized:
 * bounded windows per key, no scans. `evaluate` runs on a timer and after ingest and may walk its (bounded)
 * windows.
 */
export interface Detector<R extends string = RuleName> {
  readonly rule: R;
  observe(result: StoredResult): void;
  observeHeartbeat?(observation: HeartbeatObservation): void;
  evaluate(now: number): Finding<R>[];
  /**
   * For a rule whose state says which results cannot be trusted (a degraded probe): true for such a result,
   * which `DetectionContext.trustworthy` then rejects for every rule. A detector with this keeps observing
   * while its own alert is disabled.
   */
  distrusts?(result: StoredResult): boolean;
}

/** Facts several detectors share, owned by the registry. */
export interface DetectionContext {
  /** Regions where a target is configured to run (from `PUT /v1/targets`). */
  configuredRegions(target: string): readonly RegionCode[];
  /** False for results measured while their probe was degraded: excluded from latency judgements. */
  trustworthy(result: StoredResult): boolean;
  /**
   * The probe interval of a target (`mesh`: the mesh interval) that rule durations are counted in; without a
   * target, the longest one configured (the conservative choice for probe-wide state).
   */
  intervalMs(target?: string): number;
}
