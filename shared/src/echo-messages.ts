/**
 * The probe's side of echo.proto by hand: it encodes PingRequest and TicksRequest and decodes EchoReply
 * and Tick, so the probe process never loads protobufjs (@grpc/proto-loader) for two fixed messages.
 * Decoded values are shaped as proto-loader decodes them with the probe's options (camelCase fields,
 * unset strings '' and numbers 0, an unset message null, uint64 as a Number). echo-messages.test.ts
 * checks both directions against protobufjs. The echo server (grpc-js) keeps proto-loader.
 */

/** EchoReply: who served a request. */
export interface EchoReplyMessage {
  nonce: string;
  region: string;
  machineId: string;
  app: string;
  startedAt: number;
  imageRef: string;
  edgeRegion: string;
  receivedAt: number;
  requestId: string;
}

/** Tick: one message of the Ticks server stream. */
export interface TickMessage {
  seq: number;
  sentAt: number;
  server: EchoReplyMessage | null;
}

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const START_GROUP = 3;
const END_GROUP = 4;
const FIXED32 = 5;

function tag(field: number, wireType: number): number {
  return (field << 3) | wireType;
}

function pushVarint(out: number[], value: number): void {
  let v = value >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

/** PingRequest { string nonce = 1 }. */
export function encodePingRequest(msg: { nonce: string }): Buffer {
  const text = Buffer.from(msg.nonce, 'utf8');
  const head: number[] = [tag(1, LEN)];
  pushVarint(head, text.length);
  return Buffer.concat([Buffer.from(head), text]);
}

/** TicksRequest { uint32 interval_ms = 1; uint32 max_ticks = 2 }. */
export function encodeTicksRequest(msg: { intervalMs: number; maxTicks: number }): Buffer {
  const out: number[] = [tag(1, VARINT)];
  pushVarint(out, msg.intervalMs);
  out.push(tag(2, VARINT));
  pushVarint(out, msg.maxTicks);
  return Buffer.from(out);
}

/** A bounds-checked reader over one message's bytes; malformed input throws, never reads past `end`. */
class Reader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** An unsigned varint of up to 64 bits, as a Number (exact up to 2^53, like proto-loader's longs: Number). */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new RangeError('protobuf: truncated varint');
      const b = this.buf[this.pos++] as number;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    throw new RangeError('protobuf: varint longer than 10 bytes');
  }

  /** Start and end of a length-delimited field's bytes. */
  span(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (len > this.end - start) throw new RangeError('protobuf: length past the end of the message');
    this.pos = start + len;
    return [start, this.pos];
  }

  string(): string {
    const [start, end] = this.span();
    return this.buf.toString('utf8', start, end);
  }

  double(): number {
    if (this.end - this.pos < 8) throw new RangeError('protobuf: truncated double');
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  skip(wireType: number, field: number): void {
    if (wireType === VARINT) this.varint();
    else if (wireType === LEN) this.span();
    else if (wireType === FIXED64 || wireType === FIXED32) {
      const n = wireType === FIXED64 ? 8 : 4;
      if (this.end - this.pos < n) throw new RangeError('protobuf: truncated fixed field');
      this.pos += n;
    } else if (wireType === START_GROUP) {
      for (;;) {
        const t = this.varint();
        if ((t & 7) === END_GROUP) {
          if (t >>> 3 !== field) throw new Error('protobuf: unmatched end group');
          return;
        }
        this.skip(t & 7, t >>> 3);
      }
    } else throw new Error(`protobuf: invalid wire type ${wireType}`);
  }

  /** Calls `field` for each field until the end; a known field with another wire type is skipped. */
  fields(field: (n: number, wireType: number) => boolean): void {
    while (this.pos < this.end) {
      const t = this.varint();
      if (!field(t >>> 3, t & 7)) this.skip(t & 7, t >>> 3);
    }
  }
}

const STRING_FIELDS = {
  1: 'nonce',
  2: 'region',
  3: 'machineId',
  4: 'app',
  6: 'imageRef',
  7: 'edgeRegion',
  9: 'requestId',
} as const;
const DOUBLE_FIELDS = { 5: 'startedAt', 8: 'receivedAt' } as const;

function emptyEchoReply(): EchoReplyMessage {
  return {
    nonce: '',
    region: '',
    machineId: '',
    app: '',
    startedAt: 0,
    imageRef: '',
    edgeRegion: '',
    receivedAt: 0,
    requestId: '',
  };
}

/** Reads EchoReply fields into `into` (a repeated embedded message merges into the earlier one). */
function readEchoReply(r: Reader, into: EchoReplyMessage): EchoReplyMessage {
  r.fields((n, wireType) => {
    const s = STRING_FIELDS[n as keyof typeof STRING_FIELDS];
    if (s !== undefined && wireType === LEN) into[s] = r.string();
    else {
      const d = DOUBLE_FIELDS[n as keyof typeof DOUBLE_FIELDS];
      if (d === undefined || wireType !== FIXED64) return false;
      into[d] = r.double();
    }
    return true;
  });
  return into;
}

export function decodeEchoReply(bytes: Buffer): EchoReplyMessage {
  return readEchoReply(new Reader(bytes, 0, bytes.length), emptyEchoReply());
}

/** Tick { uint64 seq = 1; double sent_at = 2; EchoReply server = 3 }. */
export function decodeTick(bytes: Buffer): TickMessage {
  const tick: TickMessage = { seq: 0, sentAt: 0, server: null };
  const r = new Reader(bytes, 0, bytes.length);
  r.fields((n, wireType) => {
    if (n === 1 && wireType === VARINT) tick.seq = r.varint();
    else if (n === 2 && wireType === FIXED64) tick.sentAt = r.double();
    else if (n === 3 && wireType === LEN) {
      const [start, end] = r.span();
      tick.server = readEchoReply(new Reader(bytes, start, end), tick.server ?? emptyEchoReply());
    } else return false;
    return true;
  });
  return tick;
}
