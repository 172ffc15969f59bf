import { type Protocol, ROUTED_PATHS, type RoutedPath, type RouteSummary } from '@flyprobe/shared';
import type { Awaitable } from './store-base.ts';

export interface RouteQuery {
  target?: string;
  /** Only this routed path; both anycast and flycast when absent. */
  path?: RoutedPath;
  from: number;
  to: number;
}

export type ShareRow = [
  probeRegion: string,
  target: string,
  path: RoutedPath,
  protocol: Protocol,
  kind: 'edge' | 'served',
  region: string,
  n: number,
];
export type StateRow = [
  probeRegion: string,
  target: string,
  path: RoutedPath,
  protocol: Protocol,
  edge: string | null,
  served: string | null,
  since: number,
  lastChange: number | null,
];

/** How a dialect spells the four parameters (`target` and `path` may be NULL and then match all). */
export interface RouteParams {
  from: string;
  to: string;
  target: string;
  path: string;
}

// Routed-path (anycast, flycast) results in the window that say where they went.
const window = (
  p: RouteParams,
) => `SELECT id, probe_region, target, path, protocol, edge_region, served_region, started_at,
    coalesce(edge_region, '') || '/' || coalesce(served_region, '') AS route
  FROM results
  WHERE started_at >= ${p.from} AND started_at < ${p.to} AND (${p.target} IS NULL OR target = ${p.target})
    AND path IN (${ROUTED_PATHS.map((x) => `'${x}'`).join(', ')}) AND (${p.path} IS NULL OR path = ${p.path})
    AND (edge_region IS NOT NULL OR served_region IS NOT NULL)`;

/**
 * Routes per (probe region, target, path, protocol) from raw anycast and flycast results, in two statements
 * whose cost is bounded by the raw rows in the window (served by the started_at index); standard SQL both
 * dialects run. A change is a result whose (edge, served) pair differs from the previous result of the group
 * in startedAt order.
 */
export function routeStatements(p: RouteParams): { shares: string; states: string } {
  return {
    shares: `WITH w AS (${window(p)})
      SELECT probe_region, target, path, protocol, 'edge' AS kind, edge_region, count(*) FROM w WHERE edge_region IS NOT NULL GROUP BY 1, 2, 3, 4, 6
      UNION ALL
      SELECT probe_region, target, path, protocol, 'served' AS kind, served_region, count(*) FROM w WHERE served_region IS NOT NULL GROUP BY 1, 2, 3, 4, 6`,
    states: `WITH w AS (${window(p)}),
      marked AS (
        SELECT *, lag(route) OVER g AS prev, row_number() OVER g AS n,
          count(*) OVER (PARTITION BY probe_region, target, path, protocol) AS total
        FROM w WINDOW g AS (PARTITION BY probe_region, target, path, protocol ORDER BY started_at, id)
      ),
      runs AS (
        SELECT probe_region, target, path, protocol, max(started_at) AS since,
          max(CASE WHEN prev IS NOT NULL THEN started_at END) AS last_change
        FROM marked WHERE prev IS NULL OR prev <> route GROUP BY 1, 2, 3, 4
      )
      SELECT m.probe_region, m.target, m.path, m.protocol, m.edge_region, m.served_region, r.since, r.last_change
      FROM marked m JOIN runs r USING (probe_region, target, path, protocol)
      WHERE m.n = m.total`,
  };
}

/** Route summaries from the two statements' rows, sorted by probe region, target, path, protocol. */
export function routeSummaries(states: readonly StateRow[], shares: readonly ShareRow[]): RouteSummary[] {
  const out = new Map<string, RouteSummary>();
  const keyOf = (...dims: string[]) => dims.join('\n');
  for (const [probeRegion, target, path, protocol, edge, served, since, lastChange] of states) {
    out.set(keyOf(probeRegion, target, path, protocol), {
      probeRegion,
      target,
      path,
      protocol,
      edges: {},
      served: {},
      current: { edge, served, since },
      lastChange,
    });
  }
  const totals = new Map<string, number>();
  for (const [probeRegion, target, path, protocol, kind, , n] of shares) {
    const k = keyOf(probeRegion, target, path, protocol, kind);
    totals.set(k, (totals.get(k) ?? 0) + n);
  }
  for (const [probeRegion, target, path, protocol, kind, region, n] of shares) {
    const key = keyOf(probeRegion, target, path, protocol);
    const summary = out.get(key);
    const total = totals.get(keyOf(key, kind)) ?? 0;
    if (!summary || total === 0) continue;
    (kind === 'edge' ? summary.edges : summary.served)[region] = n / total;
  }
  return [...out.values()].sort(
    (a, b) =>
      a.probeRegion.localeCompare(b.probeRegion) ||
      a.target.localeCompare(b.target) ||
      a.path.localeCompare(b.path) ||
      a.protocol.localeCompare(b.protocol),
  );
}

/**
 * A dialect's part of route summaries: the rows of `routeStatements` (written with its placeholders) for
 * these parameters, `target` and `path` null to match all.
 */
export type SelectRoutes = (
  statement: 'states' | 'shares',
  params: { from: number; to: number; target: string | null; path: string | null },
) => Awaitable<unknown[][]>;

/** Route summaries, whichever dialect stores the results. */
export class RouteReads {
  constructor(private readonly select: SelectRoutes) {}

  async routes(q: RouteQuery): Promise<RouteSummary[]> {
    const params = { from: q.from, to: q.to, target: q.target ?? null, path: q.path ?? null };
    const [states, shares] = await Promise.all([
      this.select('states', params),
      this.select('shares', params),
    ]);
    return routeSummaries(
      states as StateRow[],
      (shares as ShareRow[]).map((r) => [r[0], r[1], r[2], r[3], r[4], r[5], Number(r[6])] as ShareRow),
    );
  }
}
