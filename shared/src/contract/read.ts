import type { RoutedPath } from './paths.ts';
import type { RegionCode } from './regions.ts';
import type { Protocol } from './schema/checks/index.ts';
import type { NetworkPath } from './schema/common.ts';

/** Response shapes of the collector's read API, shared with the CLI. The OpenAPI document describes the same. */

export const MATRIX_METRICS = ['p50', 'p95', 'p99', 'mean', 'loss', 'reset_rate'] as const;
export type MatrixMetric = (typeof MATRIX_METRICS)[number];

export interface MatrixCell {
  /** Probe region (row). */
  from: RegionCode;
  /** Served region (anycast, flycast), forced region (pinned), private region or peer region (mesh). */
  to: RegionCode;
  /** The metric's value: ms for latency metrics, a ratio 0..1 for loss and reset_rate; null without samples. */
  value: number | null;
  /** Every sample in the window, failures included. */
  samples: number;
  /** Fibre RTT floor for the pair in ms; null when either region is not in the catalog. */
  floorMs: number | null;
  /** value / floor for latency metrics when both exist and the floor is above 1 ms; else null. */
  inflation: number | null;
}

export interface MatrixResponse {
  target: string;
  path: NetworkPath;
  protocol: Protocol;
  metric: MatrixMetric;
  /** Window start and end, Unix epoch ms. */
  from: number;
  to: number;
  rows: RegionCode[];
  columns: RegionCode[];
  cells: MatrixCell[];
}

export interface SeriesPoint {
  /** Bucket start, Unix epoch ms. */
  t: number;
  value: number | null;
  samples: number;
}

export interface RouteSummary {
  probeRegion: RegionCode;
  target: string;
  /** anycast (edge = BGP catchment) or flycast (edge = the proxy of the probe's own region, normally). */
  path: RoutedPath;
  protocol: Protocol;
  /** Share of the path's samples per edge and served region in the window. */
  edges: Record<RegionCode, number>;
  served: Record<RegionCode, number>;
  current: { edge: RegionCode | null; served: RegionCode | null; since: number | null };
  lastChange: number | null;
}

export interface ProbeSummary {
  probeId: string;
  region: RegionCode;
  machineId: string;
  app: string | null;
  version: string;
  bootId: string;
  firstSeen: number;
  lastSeen: number;
  degraded: boolean;
  degradedReason: string | null;
  echoAddress: string | null;
  health: Record<string, unknown> | null;
}
