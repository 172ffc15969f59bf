import { Hono } from 'hono';
import { dashboardRoutes } from '../dashboard/index.ts';
import type { ApiDeps } from './deps.ts';
import type { ApiEnv } from './env.ts';
import { authenticate } from './middleware/auth.ts';
import { errorHandler, notFound } from './middleware/error-handler.ts';
import { trackRequests } from './middleware/lifecycle.ts';
import { readAnswers } from './middleware/read-answers.ts';
import { configRoutes } from './routes/config.ts';
import { healthRoutes } from './routes/health.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { matrixRoutes } from './routes/matrix.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { probesRoutes } from './routes/probes.ts';
import { regionsRoutes } from './routes/regions.ts';
import { resultsRoutes } from './routes/results.ts';
import { routeSummaryRoutes } from './routes/route-summaries.ts';
import { seriesRoutes } from './routes/series.ts';
import { targetsRoutes } from './routes/targets.ts';
import { tokensRoutes } from './routes/tokens.ts';

/** The collector's HTTP API: open operational endpoints, then everything under /v1 behind bearer tokens. */
export function createApi(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.onError(errorHandler(deps));
  app.notFound(notFound);
  app.use('*', trackRequests(deps));
  app.route('/', healthRoutes(deps));
  app.route('/', metricsRoutes(deps));
  app.route('/', openApiRoutes(deps));
  app.use('/v1/*', authenticate(deps));
  // For polling dashboards: gzip read answers when asked (a 35 x 35 matrix is ~130 KB of JSON), and 304
  // without a body while an answer has not changed. Not /v1/config: probes revalidate it with its own strong
  // ETag, which compression would weaken.
  app.use(
    '/v1/*',
    readAnswers((path) => path !== '/v1/config'),
  );
  for (const routes of [
    ingestRoutes,
    configRoutes,
    targetsRoutes,
    tokensRoutes,
    matrixRoutes,
    seriesRoutes,
    routeSummaryRoutes,
    probesRoutes,
    regionsRoutes,
    resultsRoutes,
    dashboardRoutes,
  ]) {
    app.route('/', routes(deps));
  }
  for (const plugin of deps.plugins)
    for (const mount of plugin.routes ?? []) app.route(mount.path, mount.app);
  return app;
}
