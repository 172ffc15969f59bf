import { FIBRE_KM_PER_MS_ONE_WAY, findRegion, type RegionCode } from './regions.ts';

const EARTH_RADIUS_KM = 6371.0088;

export interface LatLon {
  lat: number;
  lon: number;
}

const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in km (haversine on the mean Earth radius). */
export function greatCircleKm(a: LatLon, b: LatLon): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Distance between two region codes, or undefined when either code is not in the catalog. */
export function regionDistanceKm(a: RegionCode, b: RegionCode): number | undefined {
  const ra = findRegion(a);
  const rb = findRegion(b);
  if (!ra || !rb) return undefined;
  return greatCircleKm(ra, rb);
}

/** Fibre RTT floor in ms for a distance: light in fibre covers about 200 km per ms one way. */
export function fibreRttFloorMs(distanceKm: number): number {
  return (2 * distanceKm) / FIBRE_KM_PER_MS_ONE_WAY;
}

/** Fibre RTT floor between two regions, or undefined for codes the catalog does not know. */
export function regionRttFloorMs(a: RegionCode, b: RegionCode): number | undefined {
  const km = regionDistanceKm(a, b);
  return km === undefined ? undefined : fibreRttFloorMs(km);
}

/**
 * The candidate nearest to `from` by great-circle distance. Ties break by code so the answer is stable.
 * Candidates the catalog does not know are skipped; undefined when none is known.
 */
export function nearestRegion(
  from: RegionCode,
  candidates: Iterable<RegionCode>,
): { code: RegionCode; distanceKm: number } | undefined {
  let best: { code: RegionCode; distanceKm: number } | undefined;
  for (const code of candidates) {
    const d = regionDistanceKm(from, code);
    if (d === undefined) continue;
    if (!best || d < best.distanceKm || (d === best.distanceKm && code < best.code))
      best = { code, distanceKm: d };
  }
  return best;
}
