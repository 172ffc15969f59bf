/**
 * TCP connections to one server port as the wire saw them, in the order their SYNs were sent, with the
 * times of the handshake and of the first payload each way. A connection is keyed by its client port while
 * it lasts; a later SYN from the same port starts a new one (port reuse after TIME_WAIT).
 */
import { readPcap } from './pcap.ts';
import { TCP_ACK, TCP_SYN, type TcpSegment, tcpSegments } from './pcap-tcp.ts';

export interface WireConnection {
  clientPort: number;
  /** The client's first SYN. */
  synMs: number;
  /** SYNs from the client after the first (retransmits: the handshake's time includes their waits). */
  synRetransmits: number;
  synAckMs: number | undefined;
  /** First client -> server segment with payload. */
  requestMs: number | undefined;
  /** First server -> client segment with payload. */
  responseMs: number | undefined;
  requestBytes: number;
  responseBytes: number;
  segments: TcpSegment[];
}

export interface WireConnections {
  connections: WireConnection[];
  /** Segments to or from the port on a connection whose SYN the capture does not hold. */
  orphans: number;
}

export function wireConnections(segments: readonly TcpSegment[], serverPort: number): WireConnections {
  const connections: WireConnection[] = [];
  const open = new Map<number, WireConnection>();
  let orphans = 0;
  for (const s of segments) {
    const toServer = s.dstPort === serverPort;
    if (!toServer && s.srcPort !== serverPort) continue;
    const clientPort = toServer ? s.srcPort : s.dstPort;
    const syn = (s.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    let c = open.get(clientPort);
    if (toServer && syn && (c === undefined || c.synAckMs !== undefined)) {
      c = {
        clientPort,
        synMs: s.ms,
        synRetransmits: 0,
        synAckMs: undefined,
        requestMs: undefined,
        responseMs: undefined,
        requestBytes: 0,
        responseBytes: 0,
        segments: [],
      };
      open.set(clientPort, c);
      connections.push(c);
    } else if (c === undefined) {
      orphans++;
      continue;
    } else if (toServer && syn) {
      c.synRetransmits++;
    }
    c.segments.push(s);
    if (toServer) {
      c.requestBytes += s.payload;
      if (s.payload > 0) c.requestMs ??= s.ms;
    } else {
      c.responseBytes += s.payload;
      if ((s.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) c.synAckMs ??= s.ms;
      if (s.payload > 0) c.responseMs ??= s.ms;
    }
  }
  return { connections, orphans };
}

/** SYN -> SYN-ACK and first request byte -> first response byte, when the capture has both ends. */
export function wirePhases(c: WireConnection): { connect: number; ttfb: number } | undefined {
  if (c.synAckMs === undefined || c.requestMs === undefined || c.responseMs === undefined) return undefined;
  return { connect: c.synAckMs - c.synMs, ttfb: c.responseMs - c.requestMs };
}

export interface WireRequest {
  /** What made it, for the message when the capture does not line up. */
  name: string;
  /** Its local port where the client reports one: the connection at its place must come from it. */
  port: number | undefined;
}

/**
 * The wire's phases of strictly sequential requests, the i-th connection being the i-th request; or why
 * the capture does not line up with them (a count, a port or a phase that does not match).
 */
export function matchRequests(
  requests: readonly WireRequest[],
  connections: readonly WireConnection[],
): { connect: number; ttfb: number }[] | string {
  if (connections.length !== requests.length) {
    return `${connections.length} connections captured for ${requests.length} requests`;
  }
  const out: { connect: number; ttfb: number }[] = [];
  for (const [i, r] of requests.entries()) {
    const c = connections[i]!;
    if (r.port !== undefined && c.clientPort !== r.port) {
      return `request ${i} (${r.name}) came from port ${r.port}, the capture's connection ${i} from ${c.clientPort}`;
    }
    const phases = wirePhases(c);
    if (!phases) return `connection ${i} (${r.name}) lacks its SYN-ACK, a request or a response byte`;
    out.push(phases);
  }
  return out;
}

/**
 * The connections in a capture that tcpdump may still be writing, to poll for it being complete: none while
 * the file does not parse (its last record half-written). The final read of a stopped capture is strict.
 */
export function connectionsSoFar(file: Buffer, serverPort: number): WireConnection[] {
  try {
    return wireConnections(tcpSegments(readPcap(file)).segments, serverPort).connections;
  } catch {
    return [];
  }
}
