import type { RouteSummary } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { requireRole } from '../middleware/auth.ts';
import { QueryReader } from '../validation.ts';
import { MAX_WINDOW_MS, MINUTE_MS } from './matrix.ts';

export interface RoutesResponse {
  from: number;
  to: number;
  routes: RouteSummary[];
}

/** `GET /v1/routes`: per probe region and routed path, where traffic entered fly-proxy and was served in the window. */
export function routeSummaryRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/v1/routes', requireRole('read'), async (c) => {
    const q = new QueryReader(c, ['target', 'path', 'window']);
    const target = q.identifier('target');
    const path = q.routedPath('path');
    const windowMs = q.duration('window', 60 * MINUTE_MS, MINUTE_MS, MAX_WINDOW_MS);
    q.done();
    const to = deps.now();
    const from = to - windowMs;
    const routes = await deps.store.routes({
      ...(target ? { target } : {}),
      ...(path ? { path } : {}),
      from,
      to,
    });
    const body: RoutesResponse = { from, to, routes };
    return c.json(body);
  });
  return app;
}
