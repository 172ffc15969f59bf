import { collectorApi } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { route } from '../route.ts';

/** `GET /v1/probes`: every probe that ever reported, with its last heartbeat. */
export function probesRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  route(app, collectorApi.probes, async ({ reply }) => {
    const at = deps.now();
    const probes = (await deps.store.listProbes())
      .map((p) => ({ ...p, online: at - p.lastSeen <= deps.settings.meshPeerMaxAgeMs }))
      .sort((a, b) => a.region.localeCompare(b.region) || a.probeId.localeCompare(b.probeId));
    return reply(200, { at, probes });
  });
  return app;
}
