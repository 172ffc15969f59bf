import type { ProbeSummary } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { requireRole } from '../middleware/auth.ts';
import { QueryReader } from '../validation.ts';

export interface ProbeListing extends ProbeSummary {
  /** Seen within the mesh peer age (FLYPROBE_MESH_PEER_MAX_AGE_S, default 5 min). */
  online: boolean;
}

export interface ProbesResponse {
  /** Collector clock when answering, Unix epoch ms. */
  at: number;
  probes: ProbeListing[];
}

/** `GET /v1/probes`: every probe that ever reported, with its last heartbeat. */
export function probesRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/v1/probes', requireRole('read'), async (c) => {
    new QueryReader(c, []).done();
    const at = deps.now();
    const probes = (await deps.store.listProbes())
      .map((p) => ({ ...p, online: at - p.lastSeen <= deps.settings.meshPeerMaxAgeMs }))
      .sort((a, b) => a.region.localeCompare(b.region) || a.probeId.localeCompare(b.probeId));
    const body: ProbesResponse = { at, probes };
    return c.json(body);
  });
  return app;
}
