import type { Protocol, RouteSummary } from '@flyprobe/shared';

export interface RouteQuery {
  target?: string;
  from: number;
  to: number;
}

export type ShareRow = [
  probeRegion: string,
  target: string,
  protocol: Protocol,
  kind: 'edge' | 'served',
  region: string,
  n: number,
];
export type StateRow = [
  probeRegion: string,
  target: string,
  protocol: Protocol,
  edge: string | null,
  served: string | null,
  since: number,
  lastChange: number | null,
];

/** How a dialect spells the three parameters (`target` may be NULL and then matches every target). */
export interface RouteParams {
  from: string;
  to: string;
  target: string;
}

// Anycast results in the window that say where they went.
const window = (
  p: RouteParams,
) => `SELECT id, probe_region, target, protocol, edge_region, served_region, started_at,
    coalesce(edge_region, '') || '/' || coalesce(served_region, '') AS route
  FROM results
  WHERE started_at >= ${p.from} AND started_at < ${p.to} AND path = 'anycast' AND (${p.target} IS NULL OR target = ${p.target})
    AND (edge_region IS NOT NULL OR served_region IS NOT NULL)`;

/**
 * Catchment per (probe region, target, protocol) from raw anycast results, in two statements whose cost is
 * bounded by the raw rows in the window (served by the started_at index); standard SQL both dialects run.
 * A change is a result whose (edge, served) pair differs from the previous result of the group in startedAt order.
 */
export function routeStatements(p: RouteParams): { shares: string; states: string } {
  return {
    shares: `WITH w AS (${window(p)})
      SELECT probe_region, target, protocol, 'edge' AS kind, edge_region, count(*) FROM w WHERE edge_region IS NOT NULL GROUP BY 1, 2, 3, 5
      UNION ALL
      SELECT probe_region, target, protocol, 'served' AS kind, served_region, count(*) FROM w WHERE served_region IS NOT NULL GROUP BY 1, 2, 3, 5`,
    states: `WITH w AS (${window(p)}),
      marked AS (
        SELECT *, lag(route) OVER g AS prev, row_number() OVER g AS n,
          count(*) OVER (PARTITION BY probe_region, target, protocol) AS total
        FROM w WINDOW g AS (PARTITION BY probe_region, target, protocol ORDER BY started_at, id)
      ),
      runs AS (
        SELECT probe_region, target, protocol, max(started_at) AS since,
          max(CASE WHEN prev IS NOT NULL THEN started_at END) AS last_change
        FROM marked WHERE prev IS NULL OR prev <> route GROUP BY 1, 2, 3
      )
      SELECT m.probe_region, m.target, m.protocol, m.edge_region, m.served_region, r.since, r.last_change
      FROM marked m JOIN runs r USING (probe_region, target, protocol)
      WHERE m.n = m.total`,
  };
}

/** Route summaries from the two statements' rows, sorted by probe region, target, protocol. */
export function routeSummaries(states: readonly StateRow[], shares: readonly ShareRow[]): RouteSummary[] {
  const out = new Map<string, RouteSummary>();
  const keyOf = (r: string, t: string, p: string) => `${r}\n${t}\n${p}`;
  for (const [probeRegion, target, protocol, edge, served, since, lastChange] of states) {
    out.set(keyOf(probeRegion, target, protocol), {
      probeRegion,
      target,
      protocol,
      edges: {},
      served: {},
      current: { edge, served, since },
      lastChange,
    });
  }
  const totals = new Map<string, number>();
  for (const [probeRegion, target, protocol, kind, , n] of shares) {
    const k = `${keyOf(probeRegion, target, protocol)}\n${kind}`;
    totals.set(k, (totals.get(k) ?? 0) + n);
  }
  for (const [probeRegion, target, protocol, kind, region, n] of shares) {
    const key = keyOf(probeRegion, target, protocol);
    const summary = out.get(key);
    const total = totals.get(`${key}\n${kind}`) ?? 0;
    if (!summary || total === 0) continue;
    (kind === 'edge' ? summary.edges : summary.served)[region] = n / total;
  }
  return [...out.values()].sort(
    (a, b) =>
      a.probeRegion.localeCompare(b.probeRegion) ||
      a.target.localeCompare(b.target) ||
      a.protocol.localeCompare(b.protocol),
  );
}
