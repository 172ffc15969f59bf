import { CheckFailure } from '../core/failure.ts';

/** Largest gRPC message accepted from a target. */
export const MAX_GRPC_MESSAGE_BYTES = 64 * 1024;

/** A gRPC length-prefixed message: compressed flag (0), 4-byte big-endian length, payload. */
export function frameMessage(payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

/** Splits a byte stream into gRPC messages; throws a `protocol` failure on compression or oversize. */
export class GrpcFrameReader {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const out: Buffer[] = [];
    while (this.#buf.length >= 5) {
      if (this.#buf[0] !== 0)
        throw new CheckFailure('protocol', 'compressed gRPC message not supported', 'stream');
      const len = this.#buf.readUInt32BE(1);
      if (len > MAX_GRPC_MESSAGE_BYTES)
        throw new CheckFailure(
          'protocol',
          `gRPC message of ${len} bytes exceeds ${MAX_GRPC_MESSAGE_BYTES}`,
          'stream',
        );
      if (this.#buf.length < 5 + len) break;
      out.push(this.#buf.subarray(5, 5 + len));
      this.#buf = this.#buf.subarray(5 + len);
    }
    return out;
  }
}
