import { allRegions, type Region, type RegionCode } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { requireRole } from '../middleware/auth.ts';
import { QueryReader } from '../validation.ts';

export interface RegionListing extends Omit<Region, 'lat' | 'lon'> {
  /** Null for codes in use that the catalog does not know (status `unknown`). */
  lat: number | null;
  lon: number | null;
  /** Probe ids reporting from this region. */
  probes: string[];
  /** Targets configured to run here. */
  targets: string[];
}

export interface RegionsResponse {
  regions: RegionListing[];
}

/** `GET /v1/regions`: the Fly catalog, with where probes and targets are; unknown codes in use appear too. */
export function regionsRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/v1/regions', requireRole('read'), async (c) => {
    new QueryReader(c, []).done();
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
    const body: RegionsResponse = { regions: [...byCode.values()] };
    return c.json(body);
  });
  return app;
}
