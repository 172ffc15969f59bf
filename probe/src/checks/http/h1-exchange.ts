import type { Socket } from 'node:net';
import { now, type Timeline } from '../core/timeline.ts';
import type { Exchange } from './exchange.ts';
import { Parsed, ResponseParser } from './h1-parser.ts';

/**
 * One HTTP/1.1 GET on an open connection: the request is written, then the socket's reads are parsed
 * as they arrive. ttfb = request written -> the first read with response bytes (taken in the 'data'
 * listener, which runs in the same tick the socket read them); transfer = that read -> the last one.
 * The listeners are removed once the response is complete, so a kept connection can carry the next.
 */
export function h1Exchange(
  socket: Socket,
  request: string,
  cap: number,
  timeline: Timeline,
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const parser = new ResponseParser(cap);
    let sentAt = 0;
    let firstByteAt = -1;
    let settled = false;
    const detach = (): void => {
      socket.off('data', onData).off('end', onEnd).off('error', onError).off('close', onEnd);
    };
    const complete = (capped: boolean): void => {
      if (settled) return;
      settled = true;
      detach();
      timeline.record('transfer', firstByteAt);
      resolve({
        status: parser.status,
        contentType: parser.contentType,
        requestId: parser.requestId,
        bytes: parser.sink.bytes,
        body: capped ? undefined : parser.sink.body(),
        capped,
        reusable: !capped && parser.reusable,
      });
    };
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      detach();
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      if (firstByteAt < 0) {
        firstByteAt = now();
        timeline.record('ttfb', sentAt, firstByteAt);
      }
      const headBefore = parser.headDone;
      let parsed: Parsed;
      try {
        parsed = parser.push(chunk);
      } catch (err) {
        fail(err);
        return;
      }
      // The ttfb limit covers the whole response head; the transfer limit starts here.
      if (!headBefore && parser.headDone) timeline.enter('transfer');
      if (parsed !== Parsed.More) complete(parsed === Parsed.Capped);
    };
    // The peer's FIN (or a close without one): the end of a close-delimited body, else an eof failure.
    const onEnd = (): void => {
      try {
        parser.end();
      } catch (err) {
        fail(err);
        return;
      }
      complete(false);
    };
    const onError = (err: Error): void => fail(err);
    socket.on('data', onData).on('end', onEnd).on('error', onError).on('close', onEnd);
    timeline.enter('request');
    socket.write(request, 'latin1');
    sentAt = now();
    timeline.enter('ttfb');
  });
}
