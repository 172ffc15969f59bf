import { nearestRegion, type RegionCode } from '@flyprobe/shared';

/** fly-proxy's choice of the region that serves a request, as the lab edge makes it. Pure. */

export interface RouteInput {
  edge: RegionCode;
  /** Regions where the target runs. */
  targetRegions: RegionCode[];
  /** Target regions whose machines currently pass the edge's health check. */
  healthy: ReadonlySet<RegionCode>;
  /** `fly-force-region` header value: that region or an error, no fallback. */
  force?: string | undefined;
  /** `fly-prefer-region`: that region when healthy, else the normal choice. */
  prefer?: string | undefined;
  /** Proxy-misroute fault: serve from this region instead of the nearest (when healthy). */
  override?: RegionCode | null | undefined;
}

export type RouteChoice =
  | { ok: true; region: RegionCode; reason: 'forced' | 'preferred' | 'override' | 'nearest' }
  | { ok: false; status: 503; message: string };

export function chooseServedRegion(input: RouteInput): RouteChoice {
  const up = input.targetRegions.filter((r) => input.healthy.has(r));
  const force = input.force?.trim().toLowerCase();
  if (force) {
    if (up.includes(force)) return { ok: true, region: force, reason: 'forced' };
    const why = input.targetRegions.includes(force) ? 'has no healthy machine' : 'has no machine of this app';
    return { ok: false, status: 503, message: `fly-force-region: region ${force} ${why}` };
  }
  const prefer = input.prefer?.trim().toLowerCase();
  if (prefer && up.includes(prefer)) return { ok: true, region: prefer, reason: 'preferred' };
  if (input.override && up.includes(input.override))
    return { ok: true, region: input.override, reason: 'override' };
  const nearest = nearestRegion(input.edge, up);
  if (!nearest) return { ok: false, status: 503, message: 'no healthy machine in any region' };
  return { ok: true, region: nearest.code, reason: 'nearest' };
}
