import { isRoutedPath } from './paths.ts';
import type { RegionCode } from './regions.ts';
import { type NetworkPath, PATHS } from './schema/common.ts';
import { TupleMap } from './tuple-map.ts';

export type ColumnField = 'servedRegion' | 'targetRegion';

/**
 * Which field of a result names its matrix column, by path: the served region where fly-proxy picks the
 * Machine (anycast, flycast), the region asked for elsewhere (pinned: forced, private: 6PN, mesh: the peer).
 * Plain data so the dashboard's browser code reads the same table (served as a generated module).
 */
export const COLUMN_FIELD = Object.fromEntries(
  PATHS.map((p) => [p, isRoutedPath(p) ? 'servedRegion' : 'targetRegion']),
) as Readonly<Record<NetworkPath, ColumnField>>;

/**
 * The region a result counts against: its matrix column, its rollup cell, its metrics label and the region
 * every detector judges it by. Undefined when the result did not get that far (a routed failure).
 */
export function columnRegion(r: {
  path: NetworkPath;
  servedRegion?: RegionCode | undefined;
  targetRegion?: RegionCode | undefined;
}): RegionCode | undefined {
  return r[COLUMN_FIELD[r.path]];
}

/**
 * Where a routed failure went: the last column seen per (probe region, target, path, protocol). A failed
 * anycast or flycast attempt carries no served region, but its retry would have reached the same one, so
 * loss and reset counts (and the Prometheus cells) charge it there. The stored matrix keeps it in the ''
 * column instead: rollups are recomputed from single raw rows, which cannot remember.
 */
export class LastColumn {
  private readonly last = new TupleMap<RegionCode>();

  /** `maxKeys` bounds the memory (keys beyond it are not remembered). */
  constructor(private readonly maxKeys = Number.POSITIVE_INFINITY) {}

  column(r: {
    probeRegion: RegionCode;
    target: string;
    path: NetworkPath;
    protocol: string;
    servedRegion?: RegionCode | undefined;
    targetRegion?: RegionCode | undefined;
  }): RegionCode | undefined {
    const column = columnRegion(r);
    if (!isRoutedPath(r.path)) return column;
    const { probeRegion, target, path, protocol } = r;
    if (column === undefined) return this.last.get(probeRegion, target, path, protocol);
    if (this.last.size < this.maxKeys || this.last.get(probeRegion, target, path, protocol) !== undefined)
      this.last.set(probeRegion, target, path, protocol, column);
    return column;
  }
}
