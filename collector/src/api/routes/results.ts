import { collectorApi } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { route } from '../route.ts';

/** `GET /v1/results`: raw results (within raw retention), newest first; evidence for alerts. */
export function resultsRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  route(app, collectorApi.results, async ({ query, reply }) => {
    const { since: from, until: to, limit, ...rest } = query;
    const filter = { ...rest, from, to };
    const defined = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
    return reply(200, { results: await deps.store.listResults({ ...defined, limit }) });
  });
  return app;
}
