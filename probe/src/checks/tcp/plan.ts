import type { MeshPlacement, PlannedSpecs, TargetPlacement } from '../core/check.ts';
import { parseHostPort } from '../core/host-port.ts';
import type { TcpSpec } from './spec.ts';

/** A connect and echo round trip; none on the pinned path (raw TCP cannot carry fly-force-region). */
export function planTcp({ base }: TargetPlacement): PlannedSpecs<TcpSpec> | undefined {
  if (base.path === 'pinned') return undefined;
  return { check: { ...base, protocol: 'tcp' } };
}

/** The peer's `tcpAddress` when it advertises one, else its host on this deployment's echo TCP port. */
export function planTcpMesh({
  peer,
  address,
  echoPorts,
  base,
}: MeshPlacement): TcpSpec | { warning: string } {
  const endpoint = peer.tcpAddress
    ? parseHostPort(peer.tcpAddress)
    : { host: address.host, port: echoPorts.tcp };
  if (!endpoint) return { warning: `tcpAddress ${peer.tcpAddress} is not host:port` };
  return { ...base, protocol: 'tcp', host: endpoint.host, port: endpoint.port };
}
