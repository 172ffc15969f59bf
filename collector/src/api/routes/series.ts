import { collectorApi } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { route } from '../route.ts';

/** `GET /v1/series`: one matrix cell over time. */
export function seriesRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  route(app, collectorApi.series, async ({ query, reply }) => {
    const { target, path, protocol, metric, from: fromRegion, to: toRegion, window, step: stepMs } = query;
    const to = deps.now();
    const from = to - window;
    const points = await deps.store.series({
      target,
      path,
      protocol,
      metric,
      from,
      to,
      fromRegion,
      toRegion,
      stepMs,
    });
    return reply(200, { target, path, protocol, metric, fromRegion, toRegion, from, to, stepMs, points });
  });
  return app;
}
