import { loadSync } from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import {
  decodeEchoReply,
  decodeTick,
  type EchoReplyMessage,
  encodePingRequest,
  encodeTicksRequest,
} from './echo-messages.ts';
import { ECHO_PROTO_PATH, ECHO_SERVICE } from './proto.ts';

interface Method {
  requestSerialize(v: unknown): Buffer;
  requestDeserialize(b: Buffer): unknown;
  responseSerialize(v: unknown): Buffer;
  responseDeserialize(b: Buffer): unknown;
}

// protobufjs as the reference, with the options the probe used before (probe/src/checks/grpc-client.ts).
const service = loadSync(ECHO_PROTO_PATH, { keepCase: false, longs: Number, defaults: true, oneofs: true })[
  ECHO_SERVICE
] as unknown as { Ping: Method; Ticks: Method };

const reply: EchoReplyMessage = {
  nonce: 'n-1',
  region: 'iad',
  machineId: 'm-äöü-☃',
  app: 'flyprobe-targets',
  startedAt: 1_764_000_000_123.5,
  imageRef: 'registry.fly.io/x:deployment-01',
  edgeRegion: 'ord',
  receivedAt: 1_764_000_001_000,
  requestId: '01J-abc-iad',
};

describe('echo messages by hand', () => {
  it('encodes PingRequest and TicksRequest to the bytes protobufjs writes', () => {
    for (const nonce of ['', 'abc', 'x'.repeat(300), 'ünïcødé']) {
      expect(encodePingRequest({ nonce })).toEqual(service.Ping.requestSerialize({ nonce }));
      expect(service.Ping.requestDeserialize(encodePingRequest({ nonce }))).toEqual({ nonce });
    }
    for (const req of [
      { intervalMs: 1000, maxTicks: 0 },
      { intervalMs: 50, maxTicks: 3 },
      { intervalMs: 60_000, maxTicks: 2 ** 32 - 1 },
    ]) {
      expect(encodeTicksRequest(req)).toEqual(service.Ticks.requestSerialize(req));
      expect(service.Ticks.requestDeserialize(encodeTicksRequest(req))).toEqual(req);
    }
  });

  it('decodes EchoReply as protobufjs does, unset fields included', () => {
    for (const msg of [reply, { ...reply, app: '', edgeRegion: '', imageRef: '' }, {}]) {
      const bytes = service.Ping.responseSerialize(msg);
      expect(decodeEchoReply(bytes)).toEqual(service.Ping.responseDeserialize(bytes));
    }
    expect(decodeEchoReply(Buffer.alloc(0))).toEqual({
      nonce: '',
      region: '',
      machineId: '',
      app: '',
      startedAt: 0,
      imageRef: '',
      edgeRegion: '',
      receivedAt: 0,
      requestId: '',
    });
  });

  it('decodes Tick as protobufjs does, with and without its server, uint64 seq as a Number', () => {
    for (const tick of [
      { seq: 1, sentAt: 1_764_000_000_000.25, server: reply },
      { seq: 2 ** 40 + 7, sentAt: 5 },
      { seq: Number.MAX_SAFE_INTEGER, sentAt: 0, server: {} },
      {},
    ]) {
      const bytes = service.Ticks.responseSerialize(tick);
      const mine = decodeTick(bytes);
      expect(mine).toEqual(service.Ticks.responseDeserialize(bytes));
      expect(mine.seq).toBe((tick as { seq?: number }).seq ?? 0);
    }
    expect(decodeTick(Buffer.alloc(0))).toEqual({ seq: 0, sentAt: 0, server: null });
  });

  it('skips unknown fields of every wire type, as protobufjs does', () => {
    // Fields 10-15 (one-byte tags), none of them in echo.proto.
    // biome-ignore format: one unknown field per line
    const unknown = Buffer.from([
      (10 << 3) | 0, 0x96, 0x01, // varint
      (11 << 3) | 1, 1, 2, 3, 4, 5, 6, 7, 8, // fixed64
      (12 << 3) | 2, 2, 0xaa, 0xbb, // length-delimited
      (13 << 3) | 5, 1, 2, 3, 4, // fixed32
      (14 << 3) | 3, (15 << 3) | 0, 1, (14 << 3) | 4, // group holding a varint
    ]);
    const bytes = Buffer.concat([
      unknown,
      service.Ticks.responseSerialize({ seq: 9, sentAt: 1, server: reply }),
    ]);
    expect(decodeTick(bytes)).toEqual(service.Ticks.responseDeserialize(bytes));
    const replyBytes = Buffer.concat([service.Ping.responseSerialize(reply), unknown]);
    expect(decodeEchoReply(replyBytes)).toEqual(service.Ping.responseDeserialize(replyBytes));
  });

  it('throws on truncated or malformed bytes instead of reading past the message', () => {
    const bytes = service.Ticks.responseSerialize({ seq: 3, sentAt: 2, server: reply });
    for (let cut = 1; cut < bytes.length; cut++) {
      const head = bytes.subarray(0, cut);
      // Every prefix either decodes (it ends on a field boundary) or throws; none reads past `head`.
      try {
        decodeTick(head);
      } catch (err) {
        expect((err as Error).message).toMatch(/^protobuf: /);
      }
    }
    expect(() => decodeTick(Buffer.from([(2 << 3) | 1, 1, 2]))).toThrow(/truncated double/);
    expect(() => decodeTick(Buffer.from([(3 << 3) | 2, 50, 1]))).toThrow(/length past the end/);
    expect(() => decodeEchoReply(Buffer.from([0x80, 0x80]))).toThrow(/truncated varint/);
    expect(() => decodeEchoReply(Buffer.from([(1 << 3) | 7]))).toThrow(/invalid wire type 7/);
  });
});
