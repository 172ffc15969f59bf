import { collectorApi } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { route } from '../route.ts';

/** `GET /v1/routes`: per probe region and routed path, where traffic entered fly-proxy and was served in the window. */
export function routeSummaryRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  route(app, collectorApi.routes, async ({ query: { target, path, window }, reply }) => {
    const to = deps.now();
    const from = to - window;
    const routes = await deps.store.routes({
      ...(target ? { target } : {}),
      ...(path ? { path } : {}),
      from,
      to,
    });
    return reply(200, { from, to, routes });
  });
  return app;
}
