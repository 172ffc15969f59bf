/**
 * TCP segments from a pcap's Ethernet frames (LINKTYPE_EN10MB, what Linux's `lo` and NICs report):
 * IPv4 and TCP headers are decoded for addresses, ports, flags and payload length. Frames that are not
 * IPv4/TCP, or are IP fragments after the first, are counted and skipped; a header that claims more than
 * the frame holds is an error that names the field.
 */
import type { Pcap } from './pcap.ts';

export const LINKTYPE_EN10MB = 1;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

const ETHER_HEADER = 14;
const ETHERTYPE_IPV4 = 0x0800;
const PROTO_TCP = 6;

export interface TcpSegment {
  /** Index of the record in the capture. */
  record: number;
  ms: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  /** TCP_* bits. */
  flags: number;
  seq: number;
  /** TCP payload bytes, from the IP total length (so a short snapshot length does not shrink it). */
  payload: number;
}

export interface TcpSegments {
  segments: TcpSegment[];
  /** Frames that are not IPv4 TCP (ARP, IPv6, UDP...) or are non-first IP fragments. */
  skipped: number;
}

const ipv4 = (b: Buffer, at: number): string => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;

export function tcpSegments(pcap: Pcap): TcpSegments {
  if (pcap.linkType !== LINKTYPE_EN10MB) {
    throw new Error(`pcap: link type ${pcap.linkType} is not supported (EN10MB = ${LINKTYPE_EN10MB} only)`);
  }
  const segments: TcpSegment[] = [];
  let skipped = 0;
  pcap.records.forEach((r, record) => {
    const b = r.data;
    const where = `pcap record ${record}`;
    if (b.length < ETHER_HEADER) throw new Error(`${where}: Ethernet header truncated (${b.length} bytes)`);
    if (b.readUInt16BE(12) !== ETHERTYPE_IPV4) {
      skipped++;
      return;
    }
    const ip = ETHER_HEADER;
    if (b.length < ip + 20) throw new Error(`${where}: IPv4 header truncated (${b.length - ip} bytes)`);
    const version = b[ip]! >> 4;
    const ihl = (b[ip]! & 0x0f) * 4;
    const total = b.readUInt16BE(ip + 2);
    if (version !== 4) throw new Error(`${where}: IPv4 version field is ${version}`);
    if (ihl < 20) throw new Error(`${where}: IPv4 header length ${ihl} < 20`);
    if (total < ihl) throw new Error(`${where}: IPv4 total length ${total} < header length ${ihl}`);
    const fragmentOffset = b.readUInt16BE(ip + 6) & 0x1fff;
    if (b[ip + 9] !== PROTO_TCP || fragmentOffset !== 0) {
      skipped++;
      return;
    }
    const tcp = ip + ihl;
    if (b.length < tcp + 20) throw new Error(`${where}: TCP header truncated (${b.length - tcp} bytes)`);
    const dataOffset = (b[tcp + 12]! >> 4) * 4;
    if (dataOffset < 20) throw new Error(`${where}: TCP data offset ${dataOffset} < 20`);
    if (total < ihl + dataOffset) {
      throw new Error(`${where}: IPv4 total length ${total} < IP + TCP headers ${ihl + dataOffset}`);
    }
    segments.push({
      record,
      ms: r.ms,
      src: ipv4(b, ip + 12),
      dst: ipv4(b, ip + 16),
      srcPort: b.readUInt16BE(tcp),
      dstPort: b.readUInt16BE(tcp + 2),
      flags: b[tcp + 13]!,
      seq: b.readUInt32BE(tcp + 4),
      payload: total - ihl - dataOffset,
    });
  });
  return { segments, skipped };
}
