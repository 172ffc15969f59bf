import { z } from 'zod';
import { ROUTED_PATHS } from '../paths.ts';
import type { RegionStatus } from '../regions.ts';
import { protocol } from '../schema/checks/index.ts';
import { count, networkPath } from '../schema/common.ts';
import { probeResult } from '../schema/result.ts';

/** Response shapes of the collector's read API (`/v1/matrix`, series, routes, probes, regions, results). */

export const MATRIX_METRICS = ['p50', 'p95', 'p99', 'mean', 'loss', 'reset_rate'] as const;
export type MatrixMetric = (typeof MATRIX_METRICS)[number];

const int = z.number().int();
/** Region codes as read back from the store: catalog or not (an unknown code in use still shows). */
const region = z.string();
const routedPath = z.enum(ROUTED_PATHS);
const metric = z.enum(MATRIX_METRICS);

export const matrixCell = z.strictObject({
  /** Probe region (row). */
  from: region,
  /** Served region (anycast, flycast), forced region (pinned), private region or peer region (mesh); "" for samples that reached none. */
  to: region,
  /** The metric's value: ms for latency metrics, a ratio 0..1 for loss and reset_rate; null without samples. */
  value: z.number().nullable(),
  /** Every sample in the window, failures included. */
  samples: count,
  /** Fibre RTT floor for the pair in ms; null when either region is not in the catalog. */
  floorMs: z.number().nullable(),
  /** value / floor for latency metrics when both exist and the floor is above 1 ms; else null. */
  inflation: z.number().nullable(),
});
export type MatrixCell = z.infer<typeof matrixCell>;

/** What a cell read was asked for, and the window it covered (Unix epoch ms). */
const cellRead = {
  target: z.string(),
  path: networkPath,
  protocol,
  metric,
  from: int,
  to: int,
};

export const matrixResponse = z.strictObject({
  ...cellRead,
  rows: z.array(region),
  columns: z.array(region),
  cells: z.array(matrixCell),
});
export type MatrixResponse = z.infer<typeof matrixResponse>;

export const seriesPoint = z.strictObject({
  /** Bucket start, Unix epoch ms. */
  t: int,
  value: z.number().nullable(),
  samples: count,
});
export type SeriesPoint = z.infer<typeof seriesPoint>;

export const seriesResponse = z.strictObject({
  ...cellRead,
  fromRegion: region,
  toRegion: region,
  stepMs: int,
  points: z.array(seriesPoint),
});
export type SeriesResponse = z.infer<typeof seriesResponse>;

export const routeSummary = z.strictObject({
  probeRegion: region,
  target: z.string(),
  /** anycast (edge = BGP catchment) or flycast (edge = the proxy of the probe's own region, normally). */
  path: routedPath,
  protocol,
  /** Share of the path's samples per edge and served region in the window. */
  edges: z.record(z.string(), z.number()),
  served: z.record(z.string(), z.number()),
  current: z.strictObject({ edge: region.nullable(), served: region.nullable(), since: int.nullable() }),
  lastChange: int.nullable(),
});
export type RouteSummary = z.infer<typeof routeSummary>;

export const routesResponse = z.strictObject({ from: int, to: int, routes: z.array(routeSummary) });
export type RoutesResponse = z.infer<typeof routesResponse>;

export const timelineBucket = z.strictObject({
  /** Bucket start, Unix epoch ms. */
  t: int,
  samples: count,
  /** Samples that failed (no served region). */
  failed: count,
  /** Samples per edge region (the Fly-Region that handled the request). */
  edges: z.record(z.string(), count),
  /** Samples per served region. */
  served: z.record(z.string(), count),
});
export type TimelineBucket = z.infer<typeof timelineBucket>;

export const timelineRow = z.strictObject({
  probeRegion: region,
  /** Buckets with samples only, oldest first. */
  buckets: z.array(timelineBucket),
  /** How often the served or edge region of consecutive results changed. */
  changes: count,
});
export type TimelineRow = z.infer<typeof timelineRow>;

export const routeTimelineResponse = z.strictObject({
  target: z.string(),
  path: routedPath,
  protocol,
  from: int,
  to: int,
  stepMs: int,
  /** Oldest result included: later than `from` when the window held more raw results than one answer reads. */
  coveredFrom: int,
  truncated: z.boolean(),
  rows: z.array(timelineRow),
});
export type RouteTimelineResponse = z.infer<typeof routeTimelineResponse>;

export const probeSummary = z.strictObject({
  probeId: z.string(),
  region,
  machineId: z.string(),
  app: z.string().nullable(),
  version: z.string(),
  bootId: z.string(),
  firstSeen: int,
  lastSeen: int,
  degraded: z.boolean(),
  degradedReason: z.string().nullable(),
  echoAddress: z.string().nullable(),
  /** The last heartbeat as the probe sent it. */
  health: z.record(z.string(), z.unknown()).nullable(),
});
export type ProbeSummary = z.infer<typeof probeSummary>;

export const probeListing = probeSummary.extend({
  /** Seen within the mesh peer age (FLYPROBE_MESH_PEER_MAX_AGE_S, default 5 min). */
  online: z.boolean(),
});
export type ProbeListing = z.infer<typeof probeListing>;

export const probesResponse = z.strictObject({
  /** Collector clock when answering, Unix epoch ms. */
  at: int,
  probes: z.array(probeListing),
});
export type ProbesResponse = z.infer<typeof probesResponse>;

export const regionListing = z.strictObject({
  code: region,
  name: z.string(),
  /** Null for codes in use that the catalog does not know (status `unknown`). */
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  status: z.enum([
    'current',
    'deprecated',
    'edge_only',
    'unknown',
  ] as const satisfies readonly RegionStatus[]),
  gateway: z.boolean(),
  /** For a deprecated region: the current region flyctl remaps it to. */
  replacement: region.optional(),
  /** Probe ids reporting from this region. */
  probes: z.array(z.string()),
  /** Targets configured to run here. */
  targets: z.array(z.string()),
});
export type RegionListing = z.infer<typeof regionListing>;

export const regionsResponse = z.strictObject({ regions: z.array(regionListing) });
export type RegionsResponse = z.infer<typeof regionsResponse>;

/** A raw result as stored: what the probe sent, and who sent it when. */
export const storedResult = probeResult.extend({
  /** Store-assigned id, quoted in alert evidence. */
  id: int,
  probeId: z.string(),
  bootId: z.string(),
  probeRegion: region,
  receivedAt: int,
});
export const resultsResponse = z.strictObject({ results: z.array(storedResult) });
export type ResultsResponse = z.infer<typeof resultsResponse>;
