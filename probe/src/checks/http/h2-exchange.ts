import { type ClientHttp2Session, constants } from 'node:http2';
import { FLY_HEADERS } from '@flyprobe/shared';
import { CheckFailure } from '../core/failure.ts';
import { now, type Timeline } from '../core/timeline.ts';
import { BodySink, keepsBody } from './body-sink.ts';
import type { Exchange } from './exchange.ts';

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** nghttp2's own protocol errors (a peer that does not speak HTTP/2, bad frames) are `protocol` failures. */
function classified(err: unknown, timeline: Timeline): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_HTTP2_ERROR'
    ? new CheckFailure('protocol', `HTTP/2: ${(err as Error).message}`, timeline.phase)
    : err;
}

/**
 * One HTTP/2 GET on `session` (node:http2 over the connection openConnection opened): ttfb = request
 * sent -> first response HEADERS frame (interim 1xx included); transfer = that -> end of stream.
 */
export function h2Exchange(
  session: ClientHttp2Session,
  headers: Record<string, string>,
  cap: number,
  timeline: Timeline,
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const sink = new BodySink(cap);
    let status = 0;
    let contentType: string | undefined;
    let requestId: string | undefined;
    let firstByteAt = -1;
    let settled = false;
    const onSessionError = (err: Error): void => fail(classified(err, timeline));
    const complete = (capped: boolean): void => {
      if (settled) return;
      settled = true;
      session.off('error', onSessionError);
      timeline.record('transfer', firstByteAt);
      resolve({
        status,
        contentType,
        requestId,
        bytes: sink.bytes,
        body: capped ? undefined : sink.body(),
        capped,
        reusable: !capped && !session.closed && !session.destroyed,
      });
    };
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      session.off('error', onSessionError);
      reject(err);
    };
    const first = (): void => {
      if (firstByteAt >= 0) return;
      firstByteAt = now();
      timeline.record('ttfb', sentAt, firstByteAt);
    };
    session.on('error', onSessionError);
    timeline.enter('request');
    const stream = session.request(headers, { endStream: true });
    const sentAt = now();
    timeline.enter('ttfb');
    stream.on('headers', first);
    stream.on('response', (h) => {
      first();
      status = Number(h[':status']);
      contentType = one(h['content-type']);
      requestId = one(h[FLY_HEADERS.requestId]);
      sink.keep = keepsBody(contentType);
      timeline.enter('transfer');
    });
    stream.on('data', (chunk: Buffer) => {
      if (sink.add(chunk)) {
        complete(true);
        stream.close(constants.NGHTTP2_CANCEL);
      }
    });
    stream.on('end', () =>
      status > 0
        ? complete(false)
        : fail(new CheckFailure('protocol', 'HTTP/2 stream ended without a response', 'ttfb')),
    );
    stream.on('error', (err) => fail(classified(err, timeline)));
    stream.on('close', () => {
      if (!settled)
        fail(
          Object.assign(new Error(`HTTP/2 stream closed (code ${stream.rstCode})`), {
            code: 'ERR_HTTP2_STREAM_ERROR',
          }),
        );
    });
    timeline.onAbort(() => stream.destroy());
  });
}
