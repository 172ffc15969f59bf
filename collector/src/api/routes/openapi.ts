import { Hono } from 'hono';
import { buildOpenApiDocument, type OpenApiPaths } from '../../openapi.ts';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';

/** `/openapi.json`: the core document plus every plugin's paths. */
export function openApiRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const extra: OpenApiPaths = {};
  for (const p of deps.plugins) for (const m of p.routes ?? []) Object.assign(extra, m.openapi ?? {});
  const doc = buildOpenApiDocument(extra);
  app.get('/openapi.json', (c) => c.json(doc));
  return app;
}
