import type { NetworkPath, Protocol, RegionCode } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiDeps } from '../api/deps.ts';
import type { ApiEnv } from '../api/env.ts';
import { requireRole } from '../api/middleware/auth.ts';
import { formatDuration, QueryReader } from '../api/validation.ts';
import type { StoredResult } from '../store/store.ts';

/** Raw results read per answer; past it the oldest part of the window is left out and `coveredFrom` says so. */
export const TIMELINE_MAX_RESULTS = 10_000;
const MAX_BUCKETS = 360;
const DEFAULT_BUCKETS = 60;
const SECOND_MS = 1000;
const MINUTE_MS = 60_000;
const MAX_TIMELINE_WINDOW_MS = 7 * 24 * 60 * MINUTE_MS;

export interface TimelineBucket {
  /** Bucket start, Unix epoch ms. */
  t: number;
  samples: number;
  /** Samples that failed (no served region). */
  failed: number;
  /** Samples per edge region (the Fly-Region that handled the request). */
  edges: Record<RegionCode, number>;
  /** Samples per served region. */
  served: Record<RegionCode, number>;
}

export interface TimelineRow {
  probeRegion: RegionCode;
  /** Buckets with samples only, oldest first. */
  buckets: TimelineBucket[];
  /** How often the served or edge region of consecutive results changed. */
  changes: number;
}

export interface RouteTimelineResponse {
  target: string;
  path: NetworkPath;
  protocol: Protocol;
  from: number;
  to: number;
  stepMs: number;
  /** Oldest result included: later than `from` when the window held more than TIMELINE_MAX_RESULTS. */
  coveredFrom: number;
  truncated: boolean;
  rows: TimelineRow[];
}

function bump(counts: Record<string, number>, key: string | undefined): void {
  if (key) counts[key] = (counts[key] ?? 0) + 1;
}

/** Buckets results (any order) per probe region; `changes` counts route changes in time order. */
export function routeTimeline(results: readonly StoredResult[], from: number, stepMs: number): TimelineRow[] {
  const byRegion = new Map<RegionCode, StoredResult[]>();
  for (const r of results) {
    const list = byRegion.get(r.probeRegion);
    if (list) list.push(r);
    else byRegion.set(r.probeRegion, [r]);
  }
  const rows: TimelineRow[] = [];
  for (const [probeRegion, list] of byRegion) {
    list.sort((a, b) => a.startedAt - b.startedAt);
    const buckets = new Map<number, TimelineBucket>();
    let changes = 0;
    let last: { edge?: string; served?: string } | undefined;
    for (const r of list) {
      const t = from + Math.floor((r.startedAt - from) / stepMs) * stepMs;
      let b = buckets.get(t);
      if (!b) {
        b = { t, samples: 0, failed: 0, edges: {}, served: {} };
        buckets.set(t, b);
      }
      b.samples++;
      if (r.outcome !== 'ok') b.failed++;
      bump(b.edges, r.edgeRegion);
      bump(b.served, r.servedRegion);
      if (r.servedRegion) {
        if (last && (last.served !== r.servedRegion || last.edge !== r.edgeRegion)) changes++;
        last = { edge: r.edgeRegion, served: r.servedRegion };
      }
    }
    rows.push({ probeRegion, buckets: [...buckets.values()], changes });
  }
  return rows.sort((a, b) => a.probeRegion.localeCompare(b.probeRegion));
}

/** `GET /v1/routes/timeline`: per probe region, edge and served region per time bucket, from raw results. */
export function routeTimelineRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/v1/routes/timeline', requireRole('read'), async (c) => {
    const q = new QueryReader(c, ['target', 'path', 'protocol', 'window', 'step']);
    const target = q.required(q.identifier('target'), 'target');
    // Only where the proxy picks the region can edge and served move.
    const path = q.routedPath('path') ?? 'anycast';
    const protocol = q.protocol('protocol', 'http') ?? 'http';
    const windowMs = q.duration('window', 60 * MINUTE_MS, MINUTE_MS, MAX_TIMELINE_WINDOW_MS);
    const fallbackStep =
      Math.max(1, Math.ceil(windowMs / DEFAULT_BUCKETS / (10 * SECOND_MS))) * 10 * SECOND_MS;
    const stepMs = q.duration('step', fallbackStep, 10 * SECOND_MS, windowMs);
    if (windowMs / stepMs > MAX_BUCKETS)
      q.errors.push({
        field: 'step',
        message: `gives more than ${MAX_BUCKETS} buckets over ${formatDuration(windowMs)}`,
      });
    q.done();
    const to = deps.now();
    const from = to - windowMs;
    const results = await deps.store.listResults({
      target,
      path,
      protocol,
      from,
      to: to + 1,
      limit: TIMELINE_MAX_RESULTS,
    });
    const truncated = results.length >= TIMELINE_MAX_RESULTS;
    // Newest first: the last result is the oldest one covered.
    const coveredFrom = truncated ? (results.at(-1)?.startedAt ?? from) : from;
    const body: RouteTimelineResponse = {
      target,
      path,
      protocol,
      from,
      to,
      stepMs,
      coveredFrom,
      truncated,
      rows: routeTimeline(results, from, stepMs),
    };
    return c.json(body);
  });
  return app;
}
