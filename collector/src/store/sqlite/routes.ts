import type { RouteSummary } from '@flyprobe/shared';
import type { Database, Statement } from 'better-sqlite3';
import {
  type RouteQuery,
  routeStatements,
  routeSummaries,
  type ShareRow,
  type StateRow,
} from '../core/routes.ts';

/** Route summaries from the SQLite results table (statements in core/routes.ts). */
export class RouteReader {
  private readonly shares: Statement;
  private readonly states: Statement;

  constructor(db: Database) {
    const sql = routeStatements({ from: '@from', to: '@to', target: '@target', path: '@path' });
    this.shares = db.prepare(sql.shares).raw(true);
    this.states = db.prepare(sql.states).raw(true);
  }

  routes(q: RouteQuery): RouteSummary[] {
    const params = { from: q.from, to: q.to, target: q.target ?? null, path: q.path ?? null };
    return routeSummaries(this.states.all(params) as StateRow[], this.shares.all(params) as ShareRow[]);
  }
}
