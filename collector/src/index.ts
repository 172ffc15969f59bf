export type { ApiEnv, Caller } from './api/env.ts';
export { requireRole } from './api/middleware/auth.ts';
export { CollectorMetrics } from './metrics.ts';
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
