import type { Protocol, RouteSummary } from '@flyprobe/shared';
import type { Database, Statement } from 'better-sqlite3';

export interface RouteQuery {
  target?: string;
  from: number;
  to: number;
}

type ShareRow = [
  probeRegion: string,
  target: string,
  protocol: Protocol,
  kind: 'edge' | 'served',
  region: string,
  n: number,
];
type StateRow = [
  probeRegion: string,
  target: string,
  protocol: Protocol,
  edge: string | null,
  served: string | null,
  since: number,
  lastChange: number | null,
];

// Anycast results in the window that say where they went; `target` is optional (NULL matches every target).
const WINDOW = `SELECT id, probe_region, target, protocol, edge_region, served_region, started_at,
    coalesce(edge_region, '') || '/' || coalesce(served_region, '') AS route
  FROM results
  WHERE started_at >= @from AND started_at < @to AND path = 'anycast' AND (@target IS NULL OR target = @target)
    AND (edge_region IS NOT NULL OR served_region IS NOT NULL)`;

/**
 * Catchment per (probe region, target, protocol) from raw anycast results, in SQL (two statements whose cost
 * is bounded by the raw rows in the window, served by the started_at index). A change is a result whose
 * (edge, served) pair differs from the previous result of the same group in startedAt order.
 */
export class RouteReader {
  private readonly shares: Statement;
  private readonly states: Statement;

  constructor(db: Database) {
    this.shares = db
      .prepare(
        `WITH w AS (${WINDOW})
         SELECT probe_region, target, protocol, 'edge', edge_region, count(*) FROM w WHERE edge_region IS NOT NULL GROUP BY 1, 2, 3, 5
         UNION ALL
         SELECT probe_region, target, protocol, 'served', served_region, count(*) FROM w WHERE served_region IS NOT NULL GROUP BY 1, 2, 3, 5`,
      )
      .raw(true);
    this.states = db
      .prepare(
        `WITH w AS (${WINDOW}),
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
      )
      .raw(true);
  }

  routes(q: RouteQuery): RouteSummary[] {
    const params = { from: q.from, to: q.to, target: q.target ?? null };
    const out = new Map<string, RouteSummary>();
    const keyOf = (r: string, t: string, p: string) => `${r}\n${t}\n${p}`;
    for (const [probeRegion, target, protocol, edge, served, since, lastChange] of this.states.all(
      params,
    ) as StateRow[]) {
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
    const rows = this.shares.all(params) as ShareRow[];
    for (const [probeRegion, target, protocol, kind, , n] of rows) {
      const k = `${keyOf(probeRegion, target, protocol)}\n${kind}`;
      totals.set(k, (totals.get(k) ?? 0) + n);
    }
    for (const [probeRegion, target, protocol, kind, region, n] of rows) {
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
}
