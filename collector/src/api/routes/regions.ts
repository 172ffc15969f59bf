import { allRegions, collectorApi, type RegionCode, type RegionListing } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { route } from '../route.ts';

/** `GET /v1/regions`: the Fly catalog, with where probes and targets are; unknown codes in use appear too. */
export function regionsRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  route(app, collectorApi.regions, async ({ reply }) => {
    const [probes, { targets }] = await Promise.all([deps.store.listProbes(), deps.store.getTargets()]);
    const byCode = new Map<RegionCode, RegionListing>();
    for (const r of allRegions()) byCode.set(r.code, { ...r, probes: [], targets: [] });
    const entry = (code: RegionCode): RegionListing => {
      let e = byCode.get(code);
      if (!e) {
        e = {
          code,
          name: code,
          lat: null,
          lon: null,
          status: 'unknown',
          gateway: false,
          probes: [],
          targets: [],
        };
        byCode.set(code, e);
      }
      return e;
    };
    for (const p of probes) entry(p.region).probes.push(p.probeId);
    for (const t of targets) for (const code of t.regions) entry(code).targets.push(t.name);
    return reply(200, { regions: [...byCode.values()] });
  });
  return app;
}
