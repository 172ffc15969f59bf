export type { ApiEnv, Caller } from './api/env.ts';
export { requireRole } from './api/middleware/auth.ts';
export type { ProbesResponse } from './api/routes/probes.ts';
export type { RegionsResponse } from './api/routes/regions.ts';
export type { ResultsResponse } from './api/routes/results.ts';
export type { RoutesResponse } from './api/routes/route-summaries.ts';
export type { SeriesResponse } from './api/routes/series.ts';
export { CollectorMetrics } from './metrics.ts';
export { buildOpenApiDocument } from './openapi.ts';
export type {
  CollectorPlugin,
  CollectorPluginFactory,
  IngestListener,
  PluginContext,
  RouteMount,
} from './process/plugins.ts';
export { type CollectorOptions, defaultPlugins, type RunningCollector, startCollector } from './server.ts';
export { type CollectorSettings, loadCollectorSettings } from './settings.ts';
export { openPostgresStore, openSqliteStore, openStore } from './store/index.ts';
export type * from './store/store.ts';
