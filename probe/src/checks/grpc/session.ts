import { type ClientHttp2Session, connect as h2connect } from 'node:http2';
import type { Socket } from 'node:net';
import { ECHO_SERVICE, FLY_HEADERS, hostPort } from '@flyprobe/shared';
import { openConnection } from '../core/connect.ts';
import type { Timeline } from '../core/timeline.ts';
import type { GrpcSpec } from './spec.ts';

/**
 * A fresh HTTP/2 connection for one gRPC measurement, timed on the timeline: dns, connect (the TCP
 * handshake: a pure network round trip, as for http and tcp) and tls. Speaking gRPC over node:http2
 * rather than grpc-js is what lets the checks tell GOAWAY, RST_STREAM and transport resets apart, and send
 * an HTTP/2 PING on the very connection they measure.
 */
export async function openGrpcSession(
  spec: GrpcSpec,
  timeline: Timeline,
): Promise<{ socket: Socket; session: ClientHttp2Session }> {
  const socket = await openConnection(
    {
      host: spec.host,
      port: spec.port,
      resolver: spec.resolver,
      tls: spec.tls ? { alpn: ['h2'], insecure: spec.tlsInsecure } : undefined,
    },
    timeline,
  );
  const session = h2connect(`${spec.tls ? 'https' : 'http'}://${hostPort(spec.host, spec.port)}`, {
    createConnection: () => socket,
  });
  return { socket, session };
}

/** Request headers of a call to the echo service: trace context, the pinned region, the spec's extras. */
export function grpcRequestHeaders(
  spec: GrpcSpec,
  method: 'Ping' | 'Ticks',
  traceparent: string,
): Record<string, string> {
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(spec.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    ':method': 'POST',
    ':path': `/${ECHO_SERVICE}/${method}`,
    'content-type': 'application/grpc',
    te: 'trailers',
    [FLY_HEADERS.traceparent]: traceparent,
  };
  if (spec.path === 'pinned' && spec.targetRegion) headers[FLY_HEADERS.forceRegion] = spec.targetRegion;
  return headers;
}

const closed = () =>
  Object.assign(new Error('connection closed before the PING ACK'), { code: 'ECONNRESET' });

/** One HTTP/2 PING round trip on `session`, as Node measures it (PING sent -> ACK received), in ms. */
export async function pingSession(session: ClientHttp2Session): Promise<number> {
  if (session.connecting)
    await new Promise<void>((resolve, reject) => {
      session.once('connect', () => resolve());
      session.once('close', () => reject(closed()));
    });
  return new Promise((resolve, reject) => {
    const onClose = (): void => reject(closed());
    session.once('close', onClose);
    const sent = session.ping((err, duration) => {
      session.off('close', onClose);
      if (err) reject(err);
      else resolve(duration);
    });
    if (!sent) {
      session.off('close', onClose);
      reject(Object.assign(new Error('too many unacknowledged PINGs'), { code: 'ECONNRESET' }));
    }
  });
}
