import { CheckFailure } from '../core/failure.ts';
import { BodySink, keepsBody } from './body-sink.ts';

/** Larger response heads (and chunked trailers) are refused (hostile targets). */
export const MAX_HEADER_BYTES = 32 * 1024;
/** A chunk-size line (size and extensions) longer than this is refused. */
const MAX_CHUNK_LINE_BYTES = 4096;

/** What `push` says after a piece of the response. */
export enum Parsed {
  /** The response is not complete yet. */
  More = 0,
  /** The response (head and body) is complete. */
  Done = 1,
  /** The body passed the cap: stop reading and drop the connection. */
  Capped = 2,
}

enum Body {
  None,
  Length,
  Chunked,
  UntilClose,
}

enum Chunk {
  Size,
  /** Whitespace after the size: only more of it, `;` or CR may follow. */
  SizeWs,
  Ext,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  Trailer,
  TrailerLf,
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;

/** RFC 9110 token characters (header field names). */
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
  TCHAR[c.charCodeAt(0)] = 1;

/** Hex digit values, -1 for other bytes. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) HEX[i.toString(16).charCodeAt(0)] = i;
for (let i = 10; i < 16; i++) HEX[i.toString(16).toUpperCase().charCodeAt(0)] = i;

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const CONTENT_TYPE = ascii('content-type');
const CONTENT_LENGTH = ascii('content-length');
const TRANSFER_ENCODING = ascii('transfer-encoding');
const CONNECTION = ascii('connection');
const REQUEST_ID = ascii('fly-request-id');
const CLOSE = ascii('close');
const KEEP_ALIVE = ascii('keep-alive');
const HEAD_END = Buffer.from('\r\n\r\n');

/** b[at, at + lower.length) equals `lower` ignoring ASCII case; only for token bytes (validated first). */
function eqLower(b: Buffer, at: number, len: number, lower: Uint8Array): boolean {
  if (len !== lower.length) return false;
  for (let i = 0; i < len; i++) if (((b[at + i] as number) | 0x20) !== lower[i]) return false;
  return true;
}

const headFailure = (message: string): CheckFailure => new CheckFailure('protocol', message, 'ttfb');
const bodyFailure = (message: string): CheckFailure => new CheckFailure('protocol', message, 'transfer');

/**
 * An HTTP/1.x response parser for one GET exchange, fed the socket's Buffers as they arrive. It decodes
 * only what the check reads (status, content-type, fly-request-id, the framing headers) and keeps body
 * bytes only of JSON answers (echo info), as subarrays of the socket's own Buffers. Interim 1xx
 * responses are skipped; 204/304 have no body; otherwise chunked, Content-Length or close-delimited
 * (RFC 9112 section 6.3). Malformed input throws a `protocol` CheckFailure saying what was wrong.
 */
export class ResponseParser {
  status = 0;
  contentType: string | undefined;
  requestId: string | undefined;
  /** Decoded body bytes (of a capped body: up to one socket read beyond the cap) and the kept JSON body. */
  readonly sink: BodySink;
  /** The final response head is complete (1xx interim heads do not count). */
  headDone = false;
  /** The connection may carry another request after this response. */
  reusable = false;
  /** Head bytes received so far, while the head spans several reads. */
  #head: Buffer | undefined;
  #body = Body.None;
  #remaining = 0;
  #chunk = Chunk.Size;
  #lineBytes = 0;
  #sizeDigits = 0;
  #trailerBytes = 0;
  #trailerColon = false;
  #trailerName = false;
  #done = false;

  constructor(cap: number) {
    this.sink = new BodySink(cap);
  }

  /** Feeds the next read; throws a CheckFailure on a malformed response. */
  push(chunk: Buffer): Parsed {
    let at = 0;
    while (!this.headDone) {
      const end = this.#headEnd(chunk, at);
      if (end < 0) return Parsed.More;
      at = end;
      if (this.headDone && this.#done) {
        if (at < chunk.length) this.reusable = false;
        return Parsed.Done;
      }
    }
    if (at >= chunk.length) return this.#done ? Parsed.Done : Parsed.More;
    return this.#bodyData(at === 0 ? chunk : chunk.subarray(at));
  }

  /** The peer closed its side: completes a close-delimited body, else throws eof naming what was missing. */
  end(): void {
    if (this.#done) return;
    if (this.headDone && this.#body === Body.UntilClose) {
      this.#done = true;
      return;
    }
    if (!this.headDone) {
      const got = this.#head?.length ?? 0;
      throw new CheckFailure(
        'eof',
        got === 0
          ? 'connection closed before the response'
          : `connection closed after ${got} bytes of the response head`,
        'ttfb',
      );
    }
    throw new CheckFailure(
      'eof',
      this.#body === Body.Length
        ? `connection closed after ${this.sink.bytes} of ${this.sink.bytes + this.#remaining} body bytes`
        : `connection closed in a chunked body after ${this.sink.bytes} bytes`,
      'transfer',
    );
  }

  /**
   * Looks for the end of a head in `chunk` from `at`; parses it when found and returns where the head
   * ended in `chunk`, else buffers it and returns -1.
   */
  #headEnd(chunk: Buffer, at: number): number {
    const carried = this.#head?.length ?? 0;
    if (carried === 0 && at >= chunk.length) return -1;
    // Usually the whole head is in one read; only a head split across reads is copied.
    const buf = carried === 0 ? chunk : Buffer.concat([this.#head as Buffer, chunk.subarray(at)]);
    const from = carried === 0 ? at : 0;
    const found = buf.indexOf(HEAD_END, Math.max(from, from + carried - 3));
    if (found < 0 ? buf.length - from > MAX_HEADER_BYTES : found + 4 - from > MAX_HEADER_BYTES)
      throw headFailure(`response head larger than ${MAX_HEADER_BYTES} bytes`);
    if (found < 0) {
      this.#head = from === 0 ? buf : buf.subarray(from);
      return -1;
    }
    this.#head = undefined;
    this.#parseHead(buf, from, found + 2);
    // Where the head ended, in `chunk`'s offsets.
    return carried === 0 ? found + 4 : found + 4 - carried + at;
  }

  /** Parses the head in b[start, end) (end is after the last header line's CRLF). */
  #parseHead(b: Buffer, start: number, end: number): void {
    // Status line: HTTP/1.x SP 3DIGIT [SP reason] CRLF
    if (
      end - start < 14 ||
      b[start] !== 0x48 ||
      b[start + 1] !== 0x54 ||
      b[start + 2] !== 0x54 ||
      b[start + 3] !== 0x50 ||
      b[start + 4] !== 0x2f ||
      b[start + 5] !== 0x31 ||
      b[start + 6] !== 0x2e ||
      (b[start + 7] !== 0x30 && b[start + 7] !== 0x31) ||
      b[start + 8] !== SP
    )
      throw headFailure(
        `malformed status line: ${JSON.stringify(b.toString('latin1', start, Math.min(end, start + 40)))}`,
      );
    const d0 = (b[start + 9] as number) - 0x30;
    const d1 = (b[start + 10] as number) - 0x30;
    const d2 = (b[start + 11] as number) - 0x30;
    const after = b[start + 12];
    if (d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 || (after !== SP && after !== CR))
      throw headFailure(
        `malformed status line: ${JSON.stringify(b.toString('latin1', start, Math.min(end, start + 40)))}`,
      );
    const status = d0 * 100 + d1 * 10 + d2;
    const minor1 = b[start + 7] === 0x31;
    let lineEnd = b.indexOf(LF, start + 12);
    if (b[lineEnd - 1] !== CR || !this.#plainLine(b, start + 12, lineEnd - 1))
      throw headFailure('malformed status line: bare CR or LF');

    let contentType: string | undefined;
    let requestId: string | undefined;
    let length = -1;
    let lengthSeen = false;
    let te: string | undefined;
    let close = false;
    let keepAlive = false;
    let prevTracked = false;
    let pos = lineEnd + 1;
    while (pos < end) {
      lineEnd = b.indexOf(LF, pos);
      if (lineEnd < 0 || lineEnd >= end || b[lineEnd - 1] !== CR)
        throw headFailure('malformed header line: bare LF');
      const stop = lineEnd - 1;
      const first = b[pos] as number;
      if (first === SP || first === HT) {
        // Obsolete line folding: harmless in a header the check ignores, refused in one it reads.
        if (prevTracked) throw headFailure('folded (obs-fold) value in a header the check reads');
        pos = lineEnd + 1;
        continue;
      }
      let colon = pos;
      while (colon < stop && TCHAR[b[colon] as number] === 1) colon++;
      if (colon === pos || colon >= stop || b[colon] !== 0x3a)
        throw headFailure(
          `malformed header line: ${JSON.stringify(b.toString('latin1', pos, Math.min(stop, pos + 40)))}`,
        );
      const nameLen = colon - pos;
      let vs = colon + 1;
      let ve = stop;
      while (vs < ve && (b[vs] === SP || b[vs] === HT)) vs++;
      while (ve > vs && (b[ve - 1] === SP || b[ve - 1] === HT)) ve--;
      prevTracked = true;
      if (eqLower(b, pos, nameLen, CONTENT_LENGTH)) {
        const value = this.#contentLength(b, vs, ve);
        if (lengthSeen && value !== length) throw headFailure('conflicting Content-Length values');
        length = value;
        lengthSeen = true;
      } else if (eqLower(b, pos, nameLen, TRANSFER_ENCODING)) {
        te = te === undefined ? b.toString('latin1', vs, ve) : `${te},${b.toString('latin1', vs, ve)}`;
      } else if (eqLower(b, pos, nameLen, CONNECTION)) {
        if (eqLower(b, vs, ve - vs, KEEP_ALIVE)) keepAlive = true;
        else if (eqLower(b, vs, ve - vs, CLOSE)) close = true;
        else
          for (const token of b.toString('latin1', vs, ve).toLowerCase().split(',')) {
            const t = token.trim();
            if (t === 'close') close = true;
            else if (t === 'keep-alive') keepAlive = true;
          }
      } else if (eqLower(b, pos, nameLen, CONTENT_TYPE)) {
        contentType ??= b.toString('latin1', vs, ve);
      } else if (eqLower(b, pos, nameLen, REQUEST_ID)) {
        requestId ??= b.toString('latin1', vs, ve);
      } else {
        prevTracked = false;
      }
      pos = lineEnd + 1;
    }

    if (status < 200) {
      // 101 would switch protocols the check never asked for; 100 and 103 (and others) are interim.
      if (status === 101) throw headFailure('unexpected 101 Switching Protocols');
      return;
    }
    this.status = status;
    this.contentType = contentType;
    this.requestId = requestId;
    this.sink.keep = keepsBody(contentType);
    this.headDone = true;
    this.reusable = !close && (minor1 || keepAlive);
    if (status === 204 || status === 304) {
      this.#body = Body.None;
      this.#done = true;
      return;
    }
    if (te !== undefined) {
      // A response framed two ways is how request smuggling starts: refused, as llhttp does.
      if (lengthSeen) throw headFailure('both Transfer-Encoding and Content-Length');
      const codings = te.toLowerCase().split(',');
      if ((codings.at(-1) as string).trim() === 'chunked') {
        if (codings.slice(0, -1).some((c) => c.trim() === 'chunked'))
          throw headFailure('chunked applied twice');
        this.#body = Body.Chunked;
        this.#chunk = Chunk.Size;
        this.#lineBytes = 0;
        this.#sizeDigits = 0;
        this.#remaining = 0;
        return;
      }
      this.#body = Body.UntilClose;
      this.reusable = false;
      return;
    }
    if (lengthSeen) {
      this.#body = Body.Length;
      this.#remaining = length;
      if (length === 0) this.#done = true;
      return;
    }
    this.#body = Body.UntilClose;
    this.reusable = false;
  }

  /** No CR or LF in b[from, to). */
  #plainLine(b: Buffer, from: number, to: number): boolean {
    const cr = b.indexOf(CR, from);
    return cr < 0 || cr >= to;
  }

  /** A Content-Length value: digits, or a list of equal ones (`5, 5`). */
  #contentLength(b: Buffer, vs: number, ve: number): number {
    let value = -1;
    let cur = -1;
    for (let i = vs; i <= ve; i++) {
      const c = i < ve ? (b[i] as number) : 0x2c;
      if (c >= 0x30 && c <= 0x39) {
        cur = cur < 0 ? c - 0x30 : cur * 10 + (c - 0x30);
        if (cur > Number.MAX_SAFE_INTEGER / 10) throw headFailure('Content-Length too large');
      } else if (c === 0x2c) {
        if (cur < 0)
          throw headFailure(`invalid Content-Length: ${JSON.stringify(b.toString('latin1', vs, ve))}`);
        if (value >= 0 && value !== cur) throw headFailure('conflicting Content-Length values');
        value = cur;
        cur = -1;
        while (i + 1 < ve && (b[i + 1] === SP || b[i + 1] === HT)) i++;
      } else if ((c === SP || c === HT) && cur >= 0) {
        while (i + 1 < ve && (b[i + 1] === SP || b[i + 1] === HT)) i++;
        if (i + 1 < ve && b[i + 1] !== 0x2c)
          throw headFailure(`invalid Content-Length: ${JSON.stringify(b.toString('latin1', vs, ve))}`);
      } else {
        throw headFailure(`invalid Content-Length: ${JSON.stringify(b.toString('latin1', vs, ve))}`);
      }
    }
    return value;
  }

  #bodyData(b: Buffer): Parsed {
    if (this.#done) {
      // Bytes after a complete response: not a connection to reuse.
      this.reusable = false;
      return Parsed.Done;
    }
    switch (this.#body) {
      case Body.UntilClose:
        return this.sink.add(b) ? Parsed.Capped : Parsed.More;
      case Body.Length: {
        const take = Math.min(this.#remaining, b.length);
        this.#remaining -= take;
        const capped = this.sink.add(take === b.length ? b : b.subarray(0, take));
        if (capped) return Parsed.Capped;
        if (this.#remaining > 0) return Parsed.More;
        this.#done = true;
        if (take < b.length) this.reusable = false;
        return Parsed.Done;
      }
      case Body.Chunked:
        return this.#chunked(b);
      default:
        this.reusable = false;
        return Parsed.Done;
    }
  }

  /** The chunked-coding state machine over one read (RFC 9112 section 7.1). */
  #chunked(b: Buffer): Parsed {
    let i = 0;
    const n = b.length;
    while (i < n) {
      switch (this.#chunk) {
        case Chunk.Data: {
          const take = Math.min(this.#remaining, n - i);
          const capped = this.sink.add(i === 0 && take === n ? b : b.subarray(i, i + take));
          if (capped) return Parsed.Capped;
          this.#remaining -= take;
          i += take;
          if (this.#remaining === 0) this.#chunk = Chunk.DataCr;
          break;
        }
        case Chunk.Size: {
          const c = b[i++] as number;
          const h = HEX[c] as number;
          this.#lineBytes++;
          if (h >= 0) {
            if (++this.#sizeDigits > 13) throw bodyFailure('chunk size too large');
            this.#remaining = this.#remaining * 16 + h;
          } else if (this.#sizeDigits === 0) {
            throw bodyFailure(`invalid chunk size byte 0x${c.toString(16).padStart(2, '0')}`);
          } else if (c === CR) {
            this.#chunk = Chunk.SizeLf;
          } else if (c === 0x3b) {
            this.#chunk = Chunk.Ext;
          } else if (c === SP || c === HT) {
            this.#chunk = Chunk.SizeWs;
          } else {
            throw bodyFailure(`invalid chunk size byte 0x${c.toString(16).padStart(2, '0')}`);
          }
          break;
        }
        case Chunk.SizeWs: {
          const c = b[i++] as number;
          if (++this.#lineBytes > MAX_CHUNK_LINE_BYTES) throw bodyFailure('chunk size line too long');
          if (c === 0x3b) this.#chunk = Chunk.Ext;
          else if (c === CR) this.#chunk = Chunk.SizeLf;
          else if (c !== SP && c !== HT)
            throw bodyFailure(`invalid chunk size byte 0x${c.toString(16).padStart(2, '0')}`);
          break;
        }
        case Chunk.Ext: {
          const c = b[i++] as number;
          if (++this.#lineBytes > MAX_CHUNK_LINE_BYTES) throw bodyFailure('chunk extensions too long');
          if (c === CR) this.#chunk = Chunk.SizeLf;
          else if (c === LF || (c < SP && c !== HT) || c === 0x7f)
            throw bodyFailure('invalid byte in chunk extension');
          break;
        }
        case Chunk.SizeLf: {
          if (b[i++] !== LF) throw bodyFailure('chunk size line not ended by CRLF');
          this.#lineBytes = 0;
          this.#sizeDigits = 0;
          if (this.#remaining === 0) {
            this.#chunk = Chunk.Trailer;
            this.#trailerBytes = 0;
            this.#trailerColon = false;
            this.#trailerName = false;
          } else {
            this.#chunk = Chunk.Data;
          }
          break;
        }
        case Chunk.DataCr:
          if (b[i++] !== CR) throw bodyFailure('chunk data not followed by CRLF');
          this.#chunk = Chunk.DataLf;
          break;
        case Chunk.DataLf:
          if (b[i++] !== LF) throw bodyFailure('chunk data not followed by CRLF');
          this.#chunk = Chunk.Size;
          break;
        case Chunk.Trailer: {
          const c = b[i++] as number;
          if (++this.#trailerBytes > MAX_HEADER_BYTES)
            throw bodyFailure(`chunked trailers larger than ${MAX_HEADER_BYTES} bytes`);
          if (c === CR) {
            if (this.#lineBytes > 0 && !(this.#trailerColon && this.#trailerName))
              throw bodyFailure('malformed trailer line');
            this.#chunk = Chunk.TrailerLf;
          } else if (c === LF) {
            throw bodyFailure('malformed trailer line: bare LF');
          } else {
            if (!this.#trailerColon) {
              if (c === 0x3a) this.#trailerColon = true;
              else if (TCHAR[c] === 1) this.#trailerName = true;
              else throw bodyFailure('malformed trailer line');
            }
            this.#lineBytes++;
          }
          break;
        }
        case Chunk.TrailerLf: {
          if (b[i++] !== LF) throw bodyFailure('malformed trailer line: bare CR');
          if (this.#lineBytes === 0) {
            this.#done = true;
            if (i < n) this.reusable = false;
            return Parsed.Done;
          }
          this.#lineBytes = 0;
          this.#trailerColon = false;
          this.#trailerName = false;
          this.#chunk = Chunk.Trailer;
          break;
        }
      }
    }
    return Parsed.More;
  }
}
