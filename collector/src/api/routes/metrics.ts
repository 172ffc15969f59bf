import { collectorApi } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { bearerSecret, secretMatches, sha256 } from '../middleware/auth.ts';
import { route } from '../route.ts';

/** `/metrics`: Prometheus text; open by default (Fly's scraper), or behind FLYPROBE_METRICS_TOKEN. */
export function metricsRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const tokenHash = deps.settings.metricsToken ? sha256(deps.settings.metricsToken) : null;
  route(app, collectorApi.metrics, async ({ c }) => {
    if (tokenHash && !secretMatches(sha256(bearerSecret(c.req.header('authorization'))), tokenHash)) {
      throw new ApiError(401, 'unauthorized', 'invalid metrics token', undefined, {
        'WWW-Authenticate': 'Bearer realm="flyprobe", error="invalid_token"',
      });
    }
    const text = await deps.metrics.render();
    c.header('Content-Type', deps.metrics.registry.contentType);
    return c.body(text, 200);
  });
  return app;
}
