import { collectorApi, type RegionCode, type TimelineBucket, type TimelineRow } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiDeps } from '../api/deps.ts';
import type { ApiEnv } from '../api/env.ts';
import { route } from '../api/route.ts';
import type { StoredResult } from '../store/store.ts';

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
  route(app, collectorApi.routeTimeline, async ({ query, reply }) => {
    const { target, path, protocol, window: windowMs, step: stepMs } = query;
    const to = deps.now();
    const from = to - windowMs;
    const results = await deps.store.listResults({
      target,
      path,
      protocol,
      from,
      to: to + 1,
      limit: collectorApi.TIMELINE_MAX_RESULTS,
    });
    const truncated = results.length >= collectorApi.TIMELINE_MAX_RESULTS;
    // Newest first: the last result is the oldest one covered.
    const coveredFrom = truncated ? (results.at(-1)?.startedAt ?? from) : from;
    return reply(200, {
      target,
      path,
      protocol,
      from,
      to,
      stepMs,
      coveredFrom,
      truncated,
      rows: routeTimeline(results, from, stepMs),
    });
  });
  return app;
}
