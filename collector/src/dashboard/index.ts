import { fileURLToPath } from 'node:url';
import { collectorApi } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiDeps } from '../api/deps.ts';
import type { ApiEnv } from '../api/env.ts';
import { ApiError } from '../api/errors.ts';
import { route } from '../api/route.ts';
import { type Asset, asset, loadAssets } from './assets.ts';
import { COLUMN_REGION_MODULE, columnRegionModule } from './column-region-module.ts';
import { routeTimelineRoutes } from './route-timeline.ts';
import { securityHeaders } from './security-headers.ts';

export const DASHBOARD_PATH = collectorApi.dashboardPage.path;
const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

function serveAsset(c: { req: { header(name: string): string | undefined } }, asset: Asset): Response {
  const headers = new Headers({
    'Content-Type': asset.contentType,
    ETag: asset.etag,
    // Revalidated on every load (a 304 is a few bytes), so an upgraded collector never serves a stale module.
    'Cache-Control': 'no-cache',
    Vary: 'Accept-Encoding',
  });
  if (c.req.header('if-none-match') === asset.etag) return new Response(null, { status: 304, headers });
  const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
  if (gzip) headers.set('Content-Encoding', 'gzip');
  const body = gzip ? asset.gzip : asset.body;
  headers.set('Content-Length', String(body.length));
  return new Response(new Uint8Array(body), { status: 200, headers });
}

/**
 * The web dashboard: static ES modules and CSS under `/dashboard/` (no token needed to load them; every
 * datum comes from the `/v1` API with the token the user signs in with), and the one API addition it needs.
 */
export function dashboardRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const assets = loadAssets(PUBLIC_DIR);
  assets.set(
    COLUMN_REGION_MODULE,
    asset(Buffer.from(columnRegionModule()), 'text/javascript; charset=utf-8'),
  );
  const app = new Hono<ApiEnv>();
  app.route('/', routeTimelineRoutes(deps));
  route(app, collectorApi.dashboardRoot, ({ c }) => c.redirect(DASHBOARD_PATH, 302));
  app.use('/dashboard/*', securityHeaders);
  app.use('/dashboard', securityHeaders);
  route(app, collectorApi.dashboardRedirect, ({ c }) => c.redirect(DASHBOARD_PATH, 301));
  const file = (name: string) => {
    const asset = assets.get(name);
    if (!asset) throw new ApiError(404, 'not_found', `no dashboard file "${name}"`);
    return asset;
  };
  route(app, collectorApi.dashboardPage, ({ c }) => serveAsset(c, file('index.html')));
  route(app, collectorApi.dashboardFile, ({ c, params }) => serveAsset(c, file(params.file)));
  return app;
}
