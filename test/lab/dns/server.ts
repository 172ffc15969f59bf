import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { answerQuestion, type LabZone } from './answers.ts';

const NXDOMAIN = 3;
const FORMERR = 1;
const TTL_S = 5;

export interface LabDnsServer {
  address: string;
  port: number;
  /** Replaces the zone (a stopped machine disappears, as on Fly). */
  setZone(zone: LabZone): void;
  /** Queries answered and queries that could not be decoded. */
  stats(): { answered: number; malformed: number };
  close(): Promise<void>;
}

/** A UDP DNS server for the lab's `.internal` and `.flycast` zone, playing Fly's `fdaa::3`. */
export async function startLabDns(options: {
  address: string;
  port?: number;
  zone: LabZone;
}): Promise<LabDnsServer> {
  let zone = options.zone;
  let answered = 0;
  let malformed = 0;
  const socket: Socket = createSocket({ type: options.address.includes(':') ? 'udp6' : 'udp4' });
  socket.on('message', (msg: Buffer, peer: RemoteInfo) => {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      malformed++;
      // Too broken to answer with its id when shorter than a header.
      if (msg.length >= 2) socket.send(formErr(msg.readUInt16BE(0)), peer.port, peer.address);
      return;
    }
    const question = query.questions?.[0];
    if (!question) {
      malformed++;
      socket.send(formErr(query.id ?? 0), peer.port, peer.address);
      return;
    }
    const a = answerQuestion(zone, question.name, question.type);
    const answers: dnsPacket.Answer[] = a.records.map((r) =>
      r.type === 'AAAA'
        ? { type: 'AAAA', name: question.name, ttl: TTL_S, data: r.data }
        : { type: 'TXT', name: question.name, ttl: TTL_S, data: r.data },
    );
    const flags = dnsPacket.AUTHORITATIVE_ANSWER | (a.rcode === 'NXDOMAIN' ? NXDOMAIN : 0);
    answered++;
    socket.send(
      dnsPacket.encode({ type: 'response', id: query.id ?? 0, flags, questions: [question], answers }),
      peer.port,
      peer.address,
    );
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port ?? 53, options.address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return {
    address: options.address,
    port: socket.address().port,
    setZone(next) {
      zone = next;
    },
    stats: () => ({ answered, malformed }),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function formErr(id: number): Buffer {
  return dnsPacket.encode({ type: 'response', id, flags: FORMERR, questions: [] });
}
