/**
 * The HTTP check's engine: connections are opened and timed by `openConnection` (dns, connect, tls with
 * ALPN); HTTP/1.1 is written and parsed here on that socket (h1-exchange.ts, h1-parser.ts), HTTP/2 (ALPN
 * h2, or h2c by prior knowledge) goes through node:http2 on the same socket (h2-exchange.ts).
 *
 * Chosen by measurement (docs/ARCHITECTURE.md, "probe footprint"; shipped bundle, 20 HTTP probes/s,
 * one window): CPU per 1,000 probes 1.018 s with this parser, 1.250 s with node:http's ClientRequest on
 * the same socket (`createConnection`), 1.283 s with undici's Client and its llhttp WebAssembly parser.
 * The parser decodes only the headers the check reads and keeps body bytes only of JSON answers.
 */
import { type ClientHttp2Session, connect as http2Connect } from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { edgeFromRequestId, hostPort } from '@flyprobe/shared';
import type { Check, CheckOutput } from '../core/check.ts';
import { openConnection } from '../core/connect.ts';
import { echoFromJson, servedBy } from '../core/echo-info.ts';
import { CheckFailure } from '../core/failure.ts';
import { failedOutput, resultBase } from '../core/result.ts';
import { Timeline } from '../core/timeline.ts';
import { newTraceContext } from '../core/trace.ts';
import type { Exchange } from './exchange.ts';
import { h1Exchange } from './h1-exchange.ts';
import { h2Exchange } from './h2-exchange.ts';
import { h1Request, type RequestTemplate, requestTemplate } from './request.ts';
import type { HttpSpec } from './spec.ts';

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** A kept connection idle this long is closed (a check removed from the config leaves none behind). */
const KEEP_IDLE_MS = 60_000;

interface Connection {
  socket: Socket;
  /** HTTP/2 connections only. */
  session: ClientHttp2Session | undefined;
  httpVersion: '1.1' | '2';
  /** While parked: the listener that drops it when the peer closes it or it idles out. */
  drop: (() => void) | undefined;
}

/** Idle keep-alive connections, one per check (`keepAliveKey`); taken out while a measurement uses one. */
const kept = new Map<string, Connection>();

const ignore = (): void => {};

function originOf(spec: HttpSpec): string {
  return `${spec.tls ? 'https' : 'http'}://${hostPort(spec.host, spec.port)}`;
}

function keepAliveKey(spec: HttpSpec): string {
  return [
    spec.target,
    spec.path,
    spec.targetRegion,
    spec.peer,
    originOf(spec),
    spec.http2,
    spec.resolver,
  ].join('|');
}

function destroy(conn: Connection): void {
  conn.session?.destroy();
  conn.socket.destroy();
}

/** A new connection for one measurement; HTTP/2 when the spec asks for it and ALPN (or h2c) agrees. */
async function open(spec: HttpSpec, timeline: Timeline): Promise<Connection> {
  const tls = spec.tls
    ? { alpn: spec.http2 ? ['h2', 'http/1.1'] : ['http/1.1'], insecure: spec.tlsInsecure }
    : undefined;
  const socket = await openConnection(
    { host: spec.host, port: spec.port, resolver: spec.resolver, tls },
    timeline,
  );
  const h2 = spec.http2 === true && (!spec.tls || (socket as TLSSocket).alpnProtocol === 'h2');
  if (!h2) return { socket, session: undefined, httpVersion: '1.1', drop: undefined };
  const session = http2Connect(originOf(spec), { createConnection: () => socket });
  session.on('error', ignore);
  return { socket, session, httpVersion: '2', drop: undefined };
}

/** Keeps a cleanly finished keep-alive connection for the check's next run. */
function park(key: string, conn: Connection): void {
  const drop = (): void => {
    unpark(conn);
    if (kept.get(key) === conn) kept.delete(key);
    destroy(conn);
  };
  conn.drop = drop;
  if (conn.session) {
    conn.session.once('close', drop).once('goaway', drop).setTimeout(KEEP_IDLE_MS, drop);
    conn.session.unref();
  } else {
    // Any byte, FIN or error while idle means the connection cannot carry a clean exchange.
    conn.socket.on('data', drop).once('end', drop).once('close', drop).setTimeout(KEEP_IDLE_MS, drop);
    conn.socket.unref();
  }
  kept.set(key, conn);
}

/** Undoes `park` (`setTimeout(ms, cb)` adds cb as a 'timeout' listener that `setTimeout(0)` leaves). */
function unpark(conn: Connection): void {
  const drop = conn.drop;
  if (!drop) return;
  conn.drop = undefined;
  if (conn.session) {
    conn.session.off('close', drop).off('goaway', drop).off('timeout', drop).setTimeout(0);
    conn.session.ref();
  } else {
    conn.socket.off('data', drop).off('end', drop).off('close', drop).off('timeout', drop).setTimeout(0);
    conn.socket.ref();
  }
}

/** The check's parked connection, if it is still open. */
function take(key: string): Connection | undefined {
  const conn = kept.get(key);
  if (!conn) return undefined;
  kept.delete(key);
  unpark(conn);
  const { socket, session } = conn;
  if (socket.destroyed || socket.readableEnded || session?.closed || session?.destroyed) {
    destroy(conn);
    return undefined;
  }
  return conn;
}

function exchange(
  conn: Connection,
  t: RequestTemplate,
  spec: HttpSpec,
  traceparent: string,
  timeline: Timeline,
  aborted: Promise<never>,
): Promise<Exchange> {
  const cap = spec.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // A failed or timed-out measurement never leaves its connection open (a kept one included).
  timeline.onAbort(() => destroy(conn));
  const pending = conn.session
    ? h2Exchange(conn.session, { ...t.h2Headers, traceparent }, cap, timeline)
    : h1Exchange(conn.socket, h1Request(t, traceparent), cap, timeline);
  return Promise.race([pending, aborted]);
}

function statusAccepted(spec: HttpSpec, status: number): boolean {
  return spec.expectStatus?.length ? spec.expectStatus.includes(status) : status >= 200 && status < 400;
}

function successOutput(
  spec: HttpSpec,
  timeline: Timeline,
  x: Exchange,
  httpVersion: '1.1' | '2',
  traceId: string,
): CheckOutput {
  const echo = x.body !== undefined ? echoFromJson(x.body.toString('utf8')) : undefined;
  const edgeRegion = edgeFromRequestId(x.requestId) ?? echo?.edgeRegion;
  const accepted = statusAccepted(spec, x.status);
  return {
    ...resultBase(spec, 'http', timeline.startedAt),
    ...(accepted && timeline.phases.ttfb !== undefined ? { latencyMs: timeline.phases.ttfb } : {}),
    phases: { ...timeline.phases },
    outcome: accepted ? 'ok' : 'http_status',
    ...(accepted ? {} : { errorMessage: `unexpected HTTP status ${x.status}` }),
    httpStatus: x.status,
    httpVersion,
    bytes: x.bytes,
    ...(edgeRegion ? { edgeRegion } : {}),
    ...servedBy(echo),
    traceId,
  };
}

/** HTTP(S) GET with a fresh connection per measurement unless `keepAlive`; h1, h2 (ALPN) and h2c. */
export const httpCheck: Check<HttpSpec> = {
  protocol: 'http',
  async run(spec, signal) {
    const timeline = new Timeline({ totalMs: spec.timeoutMs, limits: spec.phaseTimeoutMs, signal });
    const { traceId, traceparent } = newTraceContext();
    // Made before anything registers its own abort callback (openConnection destroys its socket on
    // abort), so a time limit is reported as the timeout and not as the close that it causes.
    const aborted = timeline.aborted();
    const key = spec.keepAlive ? keepAliveKey(spec) : undefined;
    let conn: Connection | undefined;
    let result: Exchange | undefined;
    let error: unknown;
    try {
      const t = requestTemplate(spec);
      if (t instanceof CheckFailure) throw t;
      conn = key !== undefined ? take(key) : undefined;
      if (conn) {
        try {
          result = await exchange(conn, t, spec, traceparent, timeline, aborted);
        } catch (err) {
          // Not one response byte on a kept connection: the peer closed it as the request went out
          // (an idle timeout racing the next run). Once more on a new connection, timed as a reconnect.
          if (timeline.isAborted || timeline.phases.ttfb !== undefined) throw err;
          destroy(conn);
          conn = undefined;
        }
      }
      if (!result) {
        conn = await Promise.race([open(spec, timeline), aborted]);
        result = await exchange(conn, t, spec, traceparent, timeline, aborted);
      }
    } catch (err) {
      error = err;
    }
    timeline.finish();
    if (conn) {
      if (key !== undefined && result?.reusable) park(key, conn);
      else destroy(conn);
    }
    if (result && conn) return successOutput(spec, timeline, result, conn.httpVersion, traceId);
    return failedOutput(spec, 'http', timeline, error, { traceId });
  },
};
