import { nearestRegion, type RegionCode } from '@flyprobe/shared';

/**
 * Anycast catchment: which region's edge receives each source region's anycast traffic.
 * By default every region lands on its own edge (Fly has edges everywhere); faults move entries.
 */
export class CatchmentTable {
  private readonly table = new Map<RegionCode, RegionCode>();

  constructor(
    readonly regions: RegionCode[],
    /** Regions whose edge holds the anycast address; sources without their own edge land on the nearest. */
    readonly edgeRegions: RegionCode[] = regions,
  ) {
    for (const r of regions) this.table.set(r, this.defaultEdge(r));
  }

  defaultEdge(source: RegionCode): RegionCode {
    if (this.edgeRegions.includes(source)) return source;
    const n = nearestRegion(source, this.edgeRegions);
    if (!n) throw new Error(`no edge region for ${source}`);
    return n.code;
  }

  edgeFor(source: RegionCode): RegionCode {
    const e = this.table.get(source);
    if (!e) throw new Error(`"${source}" is not a lab region`);
    return e;
  }

  /** Sends `source`'s anycast traffic to `edge`; returns whether anything changed. */
  set(source: RegionCode, edge: RegionCode): boolean {
    if (!this.table.has(source)) throw new Error(`source: "${source}" is not a lab region`);
    if (!this.edgeRegions.includes(edge)) throw new Error(`edge: "${edge}" has no lab edge`);
    const changed = this.table.get(source) !== edge;
    this.table.set(source, edge);
    return changed;
  }

  reset(source: RegionCode): boolean {
    return this.set(source, this.defaultEdge(source));
  }

  entries(): Record<RegionCode, RegionCode> {
    return Object.fromEntries(this.table);
  }
}

export interface FlapSchedule {
  /** Edges visited in turn. */
  edges: RegionCode[];
  /** How long each edge holds before the next takes over. */
  periodMs: number;
}

/** The edge a flapping source lands on `elapsedMs` after the flap started. */
export function flapEdgeAt(schedule: FlapSchedule, elapsedMs: number): RegionCode {
  if (schedule.edges.length < 2) throw new Error('edges: a flap alternates between at least two edges');
  if (!(schedule.periodMs > 0)) throw new Error('periodMs: must be > 0');
  const i = Math.floor(Math.max(0, elapsedMs) / schedule.periodMs) % schedule.edges.length;
  return schedule.edges[i] as RegionCode;
}
