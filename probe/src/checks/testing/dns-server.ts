import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { hostPort } from '@flyprobe/shared';

/** Records a test name server answers: AAAA addresses and TXT strings per lowercase name. */
export type TestZone = Record<string, { AAAA?: string[]; TXT?: string[] }>;

export interface TestDnsServer {
  /** `[::1]:port` or `127.0.0.1:port`, as a check's `resolver`. */
  address: string;
  /** Queries answered so far (name/type), to assert that the resolver was used. */
  queries: string[];
  close(): Promise<void>;
}

const TYPE_AAAA = 28;
const TYPE_TXT = 16;

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  return out;
}

function answer(type: number, rdata: Buffer): Buffer {
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(0xc00c, 0); // name: pointer to the question
  rr.writeUInt16BE(type, 2);
  rr.writeUInt16BE(1, 4); // class IN
  rr.writeUInt32BE(5, 6); // ttl
  rr.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([rr, rdata]);
}

function txtData(text: string): Buffer {
  const s = Buffer.from(text);
  return Buffer.concat([Buffer.from([s.length]), s]);
}

/** Answers one query from `zone`: NXDOMAIN for unknown names, an empty answer for a missing type. */
function respond(query: Buffer, zone: TestZone, log: string[]): Buffer | undefined {
  if (query.length < 17) return undefined;
  let off = 12;
  const labels: string[] = [];
  while (off < query.length && query[off] !== 0) {
    const len = query[off] ?? 0;
    labels.push(query.subarray(off + 1, off + 1 + len).toString('ascii'));
    off += len + 1;
  }
  const qEnd = off + 5;
  if (qEnd > query.length) return undefined;
  const qtype = query.readUInt16BE(off + 1);
  const name = labels.join('.').toLowerCase();
  log.push(`${name}/${qtype}`);
  const records = zone[name];
  let answers: Buffer[] = [];
  if (records && qtype === TYPE_AAAA)
    answers = (records.AAAA ?? []).map((a) => answer(TYPE_AAAA, ipv6Bytes(a)));
  if (records && qtype === TYPE_TXT) answers = (records.TXT ?? []).map((t) => answer(TYPE_TXT, txtData(t)));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8180 | (records ? 0 : 3), 2); // response, recursion; rcode NXDOMAIN when unknown
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, query.subarray(12, qEnd), ...answers]);
}

/** A tiny UDP name server on loopback for private-path tests (AAAA and TXT only). */
export function startTestDnsServer(zone: TestZone, host = '127.0.0.1'): Promise<TestDnsServer> {
  const socket: Socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const queries: string[] = [];
  socket.on('message', (msg, rinfo) => {
    const reply = respond(msg, zone, queries);
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => {
      const { port } = socket.address() as AddressInfo;
      resolve({
        address: hostPort(host, port),
        queries,
        close: () => new Promise((r) => socket.close(() => r())),
      });
    });
  });
}
