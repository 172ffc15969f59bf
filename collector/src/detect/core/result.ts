import type { RegionCode } from '@flyprobe/shared';
import type { StoredResult } from '../../store/store.ts';

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
