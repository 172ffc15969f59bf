import { buildOpenApiDocument, collectorApi, type OpenApiPaths, type RouteContract } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { route } from '../route.ts';

/**
 * `/openapi.json`: generated from the collector's contract and every plugin's at the first request, not at
 * start (the document and the JSON Schema conversion cost ~0.5 MiB of heap a collector that is never asked
 * for it would keep).
 */
export function openApiRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const contracts: RouteContract[] = [...collectorApi.COLLECTOR_ROUTES];
  const extra: OpenApiPaths = {};
  for (const p of deps.plugins)
    for (const m of p.routes ?? []) {
      contracts.push(...(m.contract ?? []));
      Object.assign(extra, m.openapi ?? {});
    }
  let doc: ReturnType<typeof buildOpenApiDocument> | undefined;
  route(app, collectorApi.openapi, ({ c }) => {
    doc ??= buildOpenApiDocument(contracts, extra);
    return c.json(doc);
  });
  return app;
}
