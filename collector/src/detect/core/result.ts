import type { NetworkPath, RegionCode } from '@flyprobe/shared';
import type { StoredResult } from '../../store/store.ts';
import { joinKey } from './keys.ts';

/** The edge that accepted the connection: the result's own field, else what the echo saw. */
export function edgeRegion(r: StoredResult): RegionCode | undefined {
  return r.edgeRegion ?? r.echo?.edgeRegion;
}

/**
 * Echo receive time minus the moment the request was sent (start + DNS, connect and TLS phases): one-way
 * delay plus the unknown clock offset, usable only for change. Measuring from the start instead would add
 * the handshake's round trip, i.e. the reverse direction once and the forward one twice.
 */
export function requestOwd(r: StoredResult): number | undefined {
  if (!r.echo || r.latencyMs === undefined) return undefined;
  const { dns = 0, connect = 0, tls = 0 } = r.phases;
  return r.echo.receivedAt - r.startedAt - dns - connect - tls;
}

/** One probe region's measurements of one target over one path and protocol: the labels most rules key by. */
export interface SeriesLabels {
  probeRegion: RegionCode;
  target: string;
  path: NetworkPath;
  protocol: string;
}

export function seriesLabels(r: StoredResult): SeriesLabels {
  return { probeRegion: r.probeRegion, target: r.target, path: r.path, protocol: r.protocol };
}

/** The map key of a result's series, with a column region appended when given. */
export function seriesKey(r: StoredResult, column?: string): string {
  return joinKey(r.probeRegion, r.target, r.path, r.protocol, column);
}

/** A series' finding labels (rules add their own, such as the column `region`). */
export function seriesFindingLabels(s: SeriesLabels): Record<string, string> {
  return { probe_region: s.probeRegion, target: s.target, path: s.path, protocol: s.protocol };
}
