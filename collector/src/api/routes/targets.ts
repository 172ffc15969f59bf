import { collectorApi } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { route } from '../route.ts';

/** `GET /v1/targets` (read) and `PUT /v1/targets` (admin): the target list every probe runs. */
export function targetsRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  route(app, collectorApi.getTargets, async ({ reply }) => reply(200, await deps.store.getTargets()));
  route(app, collectorApi.putTargets, async ({ body: targets, reply }) => {
    const { revision } = await deps.store.putTargets(targets);
    return reply(200, { revision, targets });
  });
  return app;
}
