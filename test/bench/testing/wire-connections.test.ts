import { describe, expect, it } from 'vitest';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, type TcpSegment } from './pcap-tcp.ts';
import { matchRequests, wireConnections } from './wire-connections.ts';

const SERVER = 8080;

/** A segment at `ms` from `client` to the server (`up`) or back. */
function seg(ms: number, client: number, up: boolean, flags: number, payload = 0): TcpSegment {
  return {
    record: 0,
    ms,
    src: '127.0.0.1',
    dst: '127.0.0.1',
    srcPort: up ? client : SERVER,
    dstPort: up ? SERVER : client,
    flags,
    seq: 0,
    payload,
  };
}

/** One full exchange starting at `t`: handshake 0.01 ms, request at +0.2, response at +20.2. */
function exchange(t: number, client: number): TcpSegment[] {
  return [
    seg(t, client, true, TCP_SYN),
    seg(t + 0.01, client, false, TCP_SYN | TCP_ACK),
    seg(t + 0.02, client, true, TCP_ACK),
    seg(t + 0.2, client, true, TCP_ACK | TCP_PSH, 40),
    seg(t + 20.2, client, false, TCP_ACK | TCP_PSH, 100),
    seg(t + 20.3, client, true, TCP_ACK | TCP_FIN),
  ];
}

describe('wire connections', () => {
  it('orders connections by SYN, times their phases and counts retransmitted SYNs and orphans', () => {
    const segments = [
      seg(0, 5000, false, TCP_ACK, 3), // a connection from before the capture
      ...exchange(1, 6000),
      seg(30, 6000, true, TCP_SYN), // the port used again after the first connection: a new one
      seg(30.5, 6000, false, TCP_SYN | TCP_ACK),
      seg(40, 7000, true, TCP_SYN),
      seg(41, 7000, true, TCP_SYN), // retransmitted before the SYN-ACK
      seg(41.01, 7000, false, TCP_SYN | TCP_ACK),
      { ...seg(50, 7001, true, TCP_SYN), dstPort: 1234 }, // another server's traffic
    ];
    const { connections, orphans } = wireConnections(segments, SERVER);
    expect(orphans).toBe(1);
    expect(connections.map((c) => [c.clientPort, c.synMs, c.synRetransmits])).toEqual([
      [6000, 1, 0],
      [6000, 30, 0],
      [7000, 40, 1],
    ]);
    expect(connections[0]).toMatchObject({
      requestBytes: 40,
      responseBytes: 100,
      requestMs: 1.2,
      responseMs: 21.2,
    });
    expect(connections[2]!.synAckMs! - connections[2]!.synMs).toBeCloseTo(1.01, 9);
  });

  it('matches sequential requests to connections, or says which does not line up', () => {
    const { connections } = wireConnections([...exchange(0, 6000), ...exchange(30, 6001)], SERVER);
    const ok = matchRequests(
      [
        { name: 'probe', port: undefined },
        { name: 'curl', port: 6001 },
      ],
      connections,
    );
    expect(ok).toHaveLength(2);
    expect((ok as { connect: number; ttfb: number }[])[1]!.connect).toBeCloseTo(0.01, 9);
    expect((ok as { connect: number; ttfb: number }[])[1]!.ttfb).toBeCloseTo(20, 9);
    expect(matchRequests([{ name: 'curl', port: 6001 }], connections)).toBe(
      '2 connections captured for 1 requests',
    );
    expect(
      matchRequests(
        [
          { name: 'curl', port: 6001 },
          { name: 'probe', port: undefined },
        ],
        connections,
      ),
    ).toBe("request 0 (curl) came from port 6001, the capture's connection 0 from 6000");
    const noResponse = wireConnections(exchange(0, 6000).slice(0, 4), SERVER).connections;
    expect(matchRequests([{ name: 'probe', port: undefined }], noResponse)).toBe(
      'connection 0 (probe) lacks its SYN-ACK, a request or a response byte',
    );
  });
});
