import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';

/** `/healthz`: the process answers. `/readyz`: the store answers and we are not shutting down. */
export function healthRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    if (deps.lifecycle.shuttingDown) return c.json({ status: 'shutting_down' }, 503);
    try {
      await deps.store.getTargets();
    } catch (err) {
      deps.log('warn', 'readiness check: store unreachable', { error: String(err) });
      return c.json({ status: 'store_unavailable' }, 503);
    }
    return c.json({ status: 'ready' });
  });
  return app;
}
