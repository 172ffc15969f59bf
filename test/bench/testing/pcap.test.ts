import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPcap } from './pcap.ts';
import { LINKTYPE_EN10MB, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, tcpSegments } from './pcap-tcp.ts';
import { type CaptureStats, startCapture, tcpdumpMissing } from './tcpdump.ts';
import { connectionsSoFar, wireConnections, wirePhases } from './wire-connections.ts';

const skip = tcpdumpMissing();

/** Request and response sizes per connection; the last response spans several loopback segments. */
const EXCHANGES = [
  { request: 5, response: 7 },
  { request: 1000, response: 2000 },
  { request: 3, response: 200_000 },
];

async function exchange(port: number, request: number): Promise<{ localPort: number; received: number }> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise((resolve) => socket.once('connect', resolve));
  const localPort = socket.localPort!;
  socket.write(Buffer.alloc(request, 0x61));
  let received = 0;
  socket.on('data', (b: Buffer) => {
    received += b.length;
  });
  await new Promise((resolve) => socket.once('end', resolve));
  socket.end();
  await new Promise((resolve) => socket.once('close', resolve));
  return { localPort, received };
}

describe.skipIf(skip !== undefined)(
  `pcap of a real tcpdump capture on lo${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'flyprobe-pcap-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('finds exactly the connections made, with their ports, flags, payload lengths and ordered stamps', async () => {
      const accepted: number[] = [];
      let n = 0;
      // Each connection reads its request in full, answers with its response size and closes.
      const server: Server = createServer((s: Socket) => {
        const { request, response } = EXCHANGES[n++]!;
        accepted.push(s.remotePort!);
        let got = 0;
        s.on('data', (b: Buffer) => {
          got += b.length;
          if (got === request) s.end(Buffer.alloc(response, 0x62));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      const file = join(dir, 'exchange.pcap');
      const capture = await startCapture({ port, file });
      const clients: { localPort: number; received: number }[] = [];
      let counts: CaptureStats | undefined;
      try {
        for (const x of EXCHANGES) clients.push(await exchange(port, x.request));
      } finally {
        // Done once the server's FIN of every connection is in the file.
        counts = await capture.stop(
          (b) =>
            connectionsSoFar(b, port).filter((c) =>
              c.segments.some((s) => s.flags & TCP_FIN && s.srcPort === port),
            ).length === EXCHANGES.length,
          20_000,
        );
        server.close();
      }
      expect(clients.map((c) => c.received)).toEqual(EXCHANGES.map((x) => x.response));

      const pcap = readPcap(readFileSync(file));
      expect(counts).toEqual({ captured: pcap.records.length, droppedByKernel: 0 });
      expect(pcap.precision).toBe('ns');
      expect(pcap.linkType).toBe(LINKTYPE_EN10MB);
      const ms = pcap.records.map((r) => r.ms);
      expect(ms).toEqual([...ms].sort((a, b) => a - b));
      const { segments, skipped } = tcpSegments(pcap);
      expect(skipped).toBe(0);
      expect(segments).toHaveLength(pcap.records.length);
      const { connections, orphans } = wireConnections(segments, port);
      expect(orphans).toBe(0);
      expect(connections.map((c) => c.clientPort)).toEqual(clients.map((c) => c.localPort));
      expect(connections.map((c) => c.clientPort)).toEqual(accepted);
      connections.forEach((c, i) => {
        const [syn, synAck, ack] = c.segments;
        expect(syn).toMatchObject({
          flags: TCP_SYN,
          src: '127.0.0.1',
          dst: '127.0.0.1',
          dstPort: port,
          payload: 0,
        });
        expect(synAck).toMatchObject({
          flags: TCP_SYN | TCP_ACK,
          srcPort: port,
          dstPort: c.clientPort,
          payload: 0,
        });
        expect(ack).toMatchObject({ flags: TCP_ACK, srcPort: c.clientPort, payload: 0 });
        expect(c.synRetransmits).toBe(0);
        expect(c.requestBytes).toBe(EXCHANGES[i]!.request);
        expect(c.responseBytes).toBe(EXCHANGES[i]!.response);
        const firstRequest = c.segments.find((s) => s.dstPort === port && s.payload > 0)!;
        expect(firstRequest.flags & (TCP_ACK | TCP_PSH)).toBe(TCP_ACK | TCP_PSH);
        expect(firstRequest.ms).toBe(c.requestMs);
        // Both sides closed with a FIN.
        expect(c.segments.some((s) => s.flags & TCP_FIN && s.srcPort === port)).toBe(true);
        expect(c.segments.some((s) => s.flags & TCP_FIN && s.dstPort === port)).toBe(true);
        const phases = wirePhases(c)!;
        expect(phases.connect).toBeGreaterThanOrEqual(0);
        expect(phases.ttfb).toBeGreaterThanOrEqual(0);
        expect(c.synAckMs!).toBeLessThanOrEqual(c.requestMs!);
      });
      // Every captured segment belongs to one of the connections.
      expect(connections.reduce((sum, c) => sum + c.segments.length, 0)).toBe(segments.length);
    });
  },
);

// A hand-built capture: one IPv4/TCP frame per record.
interface FrameFields {
  flags?: number;
  payload?: number;
  ihl?: number;
  dataOffset?: number;
}

function frame({ flags = TCP_SYN, payload = 0, ihl = 5, dataOffset = 5 }: FrameFields = {}): Buffer {
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(0x0800, 12);
  const ip = Buffer.alloc(20);
  ip[0] = 0x40 | ihl;
  ip.writeUInt16BE(20 + 20 + payload, 2);
  ip[9] = 6;
  ip.set([10, 0, 0, 1], 12);
  ip.set([10, 0, 0, 2], 16);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(40000, 0);
  tcp.writeUInt16BE(80, 2);
  tcp.writeUInt32BE(12345, 4);
  tcp[12] = dataOffset << 4;
  tcp[13] = flags;
  return Buffer.concat([eth, ip, tcp, Buffer.alloc(payload)]);
}

function pcapFile(
  frames: Buffer[],
  opts: { magic?: number; bigEndian?: boolean; linkType?: number } = {},
): Buffer {
  const { magic = 0xa1b23c4d, bigEndian = false, linkType = 1 } = opts;
  const u32 = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    if (bigEndian) b.writeUInt32BE(v);
    else b.writeUInt32LE(v);
    return b;
  };
  const header = Buffer.concat([u32(magic), Buffer.alloc(12), u32(65535), u32(linkType)]);
  const records = frames.map((f, i) =>
    Buffer.concat([u32(1_700_000_000), u32(i * 250_000), u32(f.length), u32(f.length), f]),
  );
  return Buffer.concat([header, ...records]);
}

describe('pcap reader on hand-built input', () => {
  it('reads records, nanosecond stamps and TCP fields in either byte order', () => {
    for (const bigEndian of [false, true]) {
      const pcap = readPcap(
        pcapFile([frame(), frame({ flags: TCP_ACK | TCP_PSH, payload: 9 })], { bigEndian }),
      );
      expect(pcap).toMatchObject({ precision: 'ns', linkType: 1, snapLen: 65535 });
      expect(pcap.records.map((r) => [r.sec, r.nsec, r.ms])).toEqual([
        [1_700_000_000, 0, 0],
        [1_700_000_000, 250_000, 0.25],
      ]);
      const { segments } = tcpSegments(pcap);
      expect(segments[1]).toEqual({
        record: 1,
        ms: 0.25,
        src: '10.0.0.1',
        dst: '10.0.0.2',
        srcPort: 40000,
        dstPort: 80,
        flags: TCP_ACK | TCP_PSH,
        seq: 12345,
        payload: 9,
      });
    }
  });

  it('scales a microsecond file to ns', () => {
    const pcap = readPcap(pcapFile([frame(), frame()], { magic: 0xa1b2c3d4 }));
    expect(pcap.precision).toBe('us');
    expect(pcap.records[1]!.nsec).toBe(250_000_000);
    expect(pcap.records[1]!.ms).toBe(250);
  });

  it('names what is wrong with a malformed file', () => {
    const good = pcapFile([frame(), frame({ payload: 4 })]);
    expect(() => readPcap(good.subarray(0, good.length - 3))).toThrow(
      /pcap: record 1 at offset \d+ truncated: header says 58 bytes, 55 left/,
    );
    expect(() => readPcap(good.subarray(0, 24 + 16 + 54 + 10))).toThrow(
      /pcap: record 1 header truncated at offset 94: 10 of 16 bytes/,
    );
    expect(() => readPcap(good.subarray(0, 10))).toThrow('pcap: global header truncated: 10 of 24 bytes');
    expect(() => readPcap(pcapFile([frame()], { magic: 0xdeadbeef, bigEndian: true }))).toThrow(
      'pcap: bad magic number 0xdeadbeef; want a1b2c3d4 (us) or a1b23c4d (ns)',
    );
    expect(() => readPcap(pcapFile([frame()], { magic: 0x0a0d0d0a, bigEndian: true }))).toThrow(
      /a pcapng file/,
    );
    expect(() => tcpSegments(readPcap(pcapFile([frame()], { linkType: 113 })))).toThrow(
      'pcap: link type 113 is not supported (EN10MB = 1 only)',
    );
    expect(() => tcpSegments(readPcap(pcapFile([frame({ ihl: 4 })])))).toThrow(
      'pcap record 0: IPv4 header length 16 < 20',
    );
    expect(() => tcpSegments(readPcap(pcapFile([frame({ dataOffset: 2 })])))).toThrow(
      'pcap record 0: TCP data offset 8 < 20',
    );
    expect(() => tcpSegments(readPcap(pcapFile([frame().subarray(0, 30)])))).toThrow(
      'pcap record 0: IPv4 header truncated (16 bytes)',
    );
  });

  it('skips frames that are not IPv4 TCP and counts them', () => {
    const udp = frame();
    udp[14 + 9] = 17;
    const arp = frame();
    arp.writeUInt16BE(0x0806, 12);
    const { segments, skipped } = tcpSegments(readPcap(pcapFile([udp, frame(), arp])));
    expect(skipped).toBe(2);
    expect(segments.map((s) => s.record)).toEqual([1]);
  });
});
