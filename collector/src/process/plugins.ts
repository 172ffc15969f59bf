import type { Heartbeat, OpenApiPaths, ProbeIdentity, RouteContract } from '@flyprobe/shared';
import type { Hono } from 'hono';
import type { Registry } from 'prom-client';
import type { ApiEnv } from '../api/env.ts';
import type { CollectorSettings } from '../settings.ts';
import type { Store, StoredResult } from '../store/store.ts';

/**
 * Called after the store has durably accepted a batch, with the newly stored results only (possibly none
 * when the batch carried just a heartbeat).
 */
export type IngestListener = (
  results: StoredResult[],
  batch: { probe: ProbeIdentity; receivedAt: number; heartbeat?: Heartbeat },
) => void | Promise<void>;

/** A sub-app mounted at `path` (e.g. `/v1/alerts`), behind the collector's bearer authentication. */
export interface RouteMount {
  path: string;
  app: Hono<ApiEnv>;
  /** The contract entries the sub-app serves: their operations are generated into `/openapi.json`. */
  contract?: readonly RouteContract[];
  /** Hand-written OpenAPI path items (`/v1/example`), for a plugin without contract entries. */
  openapi?: OpenApiPaths;
}

/** What a plugin (alerts, exporters) adds to the collector. */
export interface CollectorPlugin {
  name: string;
  routes?: RouteMount[];
  onIngest?: IngestListener;
  /** Called during graceful shutdown after in-flight requests finished, before the store closes. */
  stop?(): Promise<void>;
}

export interface PluginContext {
  store: Store;
  settings: CollectorSettings;
  /** Register plugin metrics here so they appear on `/metrics`. */
  registry: Registry;
}

/** The seam other parts of the collector plug into: built once the store is open. */
export type CollectorPluginFactory = (ctx: PluginContext) => CollectorPlugin | Promise<CollectorPlugin>;
