import type { DDSketch } from '@datadog/sketches-js';
import type { NetworkPath, Outcome, Protocol, RegionCode } from '@flyprobe/shared';
import { newSketch } from './sketch.ts';

/**
 * Latencies are clamped into this range before entering a sketch: the library's dense store spans every
 * bin between the smallest and largest key, so one absurd value (1e-300 ms) would cost hundreds of KB.
 */
export const SKETCH_MIN_MS = 0.001;
export const SKETCH_MAX_MS = 3_600_000;

/** Rollup granularities: every result lands in one cell of each. */
export const ROLLUP_TIERS = {
  minute: { table: 'rollup_minute', ms: 60_000 },
  hour: { table: 'rollup_hour', ms: 3_600_000 },
} as const;
export type RollupTier = keyof typeof ROLLUP_TIERS;

/** A dialect's DDL repeated for every rollup tier's table (the tables are alike), for its schema. */
export function perRollupTable(ddl: (table: string) => string): string {
  return Object.values(ROLLUP_TIERS)
    .map(({ table }) => ddl(table))
    .join('\n\n');
}

/** What a rollup cell is keyed by, besides its time bucket. Absent regions are stored as ''. */
export interface RollupDims {
  target: string;
  path: NetworkPath;
  protocol: Protocol;
  probeRegion: RegionCode;
  /** Served region for anycast and flycast; the asked-for region (forced, private, peer) for the others. */
  column: RegionCode;
  edge: RegionCode;
}

/** The parts of a result that rollups use. */
export interface RollupInput {
  probeRegion: RegionCode;
  target: string;
  path: NetworkPath;
  protocol: Protocol;
  targetRegion?: RegionCode | undefined;
  servedRegion?: RegionCode | undefined;
  edgeRegion?: RegionCode | undefined;
  startedAt: number;
  outcome: Outcome;
  latencyMs?: number | undefined;
  degraded?: boolean | undefined;
}

/** Counters and latency sketch of one rollup cell (one rollup row, logically). */
export interface RollupState {
  samples: number;
  ok: number;
  reset: number;
  refused: number;
  timeout: number;
  /** Every other failure outcome (unreachable, eof, dns, tls, http_status, ...). */
  failedOther: number;
  /** Samples flagged degraded by the probe: counted in samples and loss, kept out of latency. */
  degraded: number;
  /** Samples in the sketch and in latSum: ok, with a latency, not degraded. */
  latCount: number;
  latSum: number;
  sketch: DDSketch;
}

export function emptyRollupState(): RollupState {
  return {
    samples: 0,
    ok: 0,
    reset: 0,
    refused: 0,
    timeout: 0,
    failedOther: 0,
    degraded: 0,
    latCount: 0,
    latSum: 0,
    sketch: newSketch(),
  };
}
