import { collectorApi } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { route } from '../route.ts';

/** `/healthz`: the process answers. `/readyz`: the store answers and we are not shutting down. */
export function healthRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  route(app, collectorApi.healthz, ({ reply }) => reply(200, { status: 'ok' }));
  route(app, collectorApi.readyz, async ({ reply }) => {
    if (deps.lifecycle.shuttingDown) return reply(503, { status: 'shutting_down' });
    try {
      await deps.store.getTargets();
    } catch (err) {
      deps.log('warn', 'readiness check: store unreachable', { error: String(err) });
      return reply(503, { status: 'store_unavailable' });
    }
    return reply(200, { status: 'ready' });
  });
  return app;
}
