import catalog from './fly-regions.json' with { type: 'json' };

/** A Fly region code as it appears in FLY_REGION or Fly-Region: three lowercase letters. */
export type RegionCode = string;

export type RegionStatus = 'current' | 'deprecated' | 'edge_only' | 'unknown';

export interface Region {
  code: RegionCode;
  name: string;
  lat: number;
  lon: number;
  status: RegionStatus;
  /** Whether the region hosts a WireGuard gateway (current regions only). */
  gateway: boolean;
  /** For a deprecated region: the current region flyctl remaps it to. */
  replacement?: RegionCode;
}

export const REGION_CODE_PATTERN = /^[a-z]{3}$/;

export const FIBRE_KM_PER_MS_ONE_WAY: number = catalog.fiber_km_per_ms_one_way;

const byCode = new Map<RegionCode, Region>();
for (const r of catalog.regions) {
  byCode.set(r.code, {
    code: r.code,
    name: r.name,
    lat: r.lat,
    lon: r.lon,
    status: 'current',
    gateway: r.gateway,
  });
}
for (const r of catalog.deprecated) {
  byCode.set(r.code, {
    code: r.code,
    name: r.code,
    lat: r.lat,
    lon: r.lon,
    status: 'deprecated',
    gateway: false,
    replacement: r.replacement,
  });
}
for (const r of catalog.edge_only) {
  byCode.set(r.code, {
    code: r.code,
    name: r.name,
    lat: r.lat,
    lon: r.lon,
    status: 'edge_only',
    gateway: false,
  });
}

/** Every region the catalog knows, current first. */
export function allRegions(): Region[] {
  return [...byCode.values()];
}

/** Regions where Machines can run today. */
export function currentRegions(): Region[] {
  return allRegions().filter((r) => r.status === 'current');
}

/** Looks a code up; unknown but well-formed codes are accepted (Fly adds edges) and return undefined. */
export function findRegion(code: string): Region | undefined {
  return byCode.get(code.toLowerCase());
}

export function isRegionCode(code: string): boolean {
  return REGION_CODE_PATTERN.test(code);
}

/**
 * Whether a Machine can be (or, for a deprecated region, still be) in this region: a current or deprecated
 * catalog code. Where a probe runs and which region served a request are such codes; an edge-only or
 * unknown code there is a forgery or a bug, and would otherwise become a matrix row or column.
 */
export function isMachineRegion(code: string): boolean {
  const status = byCode.get(code)?.status;
  return status === 'current' || status === 'deprecated';
}

export type RegionCheck =
  | { ok: true; region: Region }
  | {
      ok: false;
      code: string;
      reason: 'malformed' | 'unknown' | 'deprecated' | 'edge_only';
      message: string;
      replacement?: RegionCode;
    };

/** Validates a region a user asks to deploy to or probe: it must be a current region. */
export function checkDeployableRegion(input: string): RegionCheck {
  const code = input.trim().toLowerCase();
  if (!isRegionCode(code)) {
    return {
      ok: false,
      code: input,
      reason: 'malformed',
      message: `"${input}" is not a region code (three letters, e.g. iad)`,
    };
  }
  const region = byCode.get(code);
  if (!region) {
    return {
      ok: false,
      code,
      reason: 'unknown',
      message: `unknown region "${code}"; run "flyprobe regions" for the list`,
    };
  }
  if (region.status === 'deprecated') {
    return {
      ok: false,
      code,
      reason: 'deprecated',
      replacement: region.replacement,
      message: `region "${code}" is deprecated; use "${region.replacement}" instead`,
    };
  }
  if (region.status === 'edge_only') {
    return {
      ok: false,
      code,
      reason: 'edge_only',
      message: `region "${code}" is an edge location only; Machines cannot run there`,
    };
  }
  return { ok: true, region };
}
