import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { edgeFromRequestId, FLY_HEADERS, hostPort } from '@flyprobe/shared';
import type { Client, Dispatcher } from 'undici';
// undici's Client alone: its index also loads fetch, websocket, cache and mock code the probe never
// uses, ~1.7 MB of RSS (pnpm bench:probe-modules).
import UndiciClient from 'undici/lib/dispatcher/client.js';
import type { Check, CheckOutput } from '../core/check.ts';
import { openConnection, within } from '../core/connect.ts';
import { echoFromJson, servedBy } from '../core/echo-info.ts';
import { CheckFailure } from '../core/failure.ts';
import { failedOutput, resultBase } from '../core/result.ts';
import { now, Timeline } from '../core/timeline.ts';
import { newTraceContext } from '../core/trace.ts';
import type { HttpSpec } from './spec.ts';

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** Larger response heads are refused (hostile targets). */
const MAX_HEADER_BYTES = 32 * 1024;

/** A connection's client; `timeline` is the measurement its next connect is timed against. */
interface ClientSlot {
  client: Client;
  timeline: Timeline | undefined;
  httpVersion: '1.1' | '2';
  /** The connection opened for the current measurement. */
  socket: Socket | undefined;
  /**
   * HTTP/1.1: when the connection first became readable after the request was written, the first
   * response byte's arrival as the socket saw it, before undici's parser ran (h2 frames are read natively).
   */
  firstReadAt: number | undefined;
}

/**
 * Passed to `Client.destroy` when a measurement is over: without it undici builds a ClientDestroyedError
 * per measurement and Node formats its stack when the socket is destroyed with it (a few % of the probe's CPU).
 */
const MEASUREMENT_DONE = new Error('measurement finished');

/** Keep-alive clients, one per origin, used only when a spec asks for `keepAlive`. */
const keptClients = new Map<string, ClientSlot>();

/**
 * HTTP/1.1 clients of fresh-connection checks, one per check (its spec): each measurement still opens
 * its own connection and closes it after, but the client (parsed origin, options) is built once.
 */
const freshClients = new WeakMap<HttpSpec, ClientSlot>();

function originOf(spec: HttpSpec): string {
  return `${spec.tls ? 'https' : 'http'}://${hostPort(spec.host, spec.port)}`;
}

/** An undici client whose connections are opened (and timed) by `openConnection`. */
function newSlot(spec: HttpSpec): ClientSlot {
  const state: Omit<ClientSlot, 'client'> = {
    timeline: undefined,
    httpVersion: '1.1',
    socket: undefined,
    firstReadAt: undefined,
  };
  const onReadable = (): void => {
    state.firstReadAt ??= now();
  };
  const connect = (_opts: unknown, cb: (...args: [null, Socket] | [Error, null]) => void): void => {
    const timeline = state.timeline;
    if (!timeline) {
      cb(new Error('connection requested outside a measurement'), null);
      return;
    }
    const tls = spec.tls
      ? { alpn: spec.http2 ? ['h2', 'http/1.1'] : ['http/1.1'], insecure: spec.tlsInsecure }
      : undefined;
    openConnection({ host: spec.host, port: spec.port, resolver: spec.resolver, tls }, timeline).then(
      (socket) => {
        // h2c with prior knowledge: undici picks HTTP/2 from the socket's ALPN result.
        if (spec.http2 && !spec.tls) Object.assign(socket, { alpnProtocol: 'h2' });
        state.httpVersion = (socket as { alpnProtocol?: string | false }).alpnProtocol === 'h2' ? '2' : '1.1';
        state.socket = socket;
        // Ahead of undici's own 'readable' listener; it only notes the time and reads nothing.
        if (state.httpVersion === '1.1') socket.prependListener('readable', onReadable);
        cb(null, socket);
      },
      (err: unknown) => cb(err instanceof Error ? err : new Error(String(err)), null),
    );
  };
  const client = new UndiciClient(originOf(spec), {
    connect,
    // The measurement's own phase limits govern; undici's would race them with other error codes.
    headersTimeout: 0,
    bodyTimeout: 0,
    maxHeaderSize: MAX_HEADER_BYTES,
    pipelining: 1,
    allowH2: spec.http2 === true,
  });
  return Object.assign(state, { client });
}

interface Exchange {
  status: number;
  headers: IncomingHttpHeaders;
  bytes: number;
  body: Buffer;
  capped: boolean;
}

/** One request on `client`: ttfb = request fully written -> first response byte; transfer = first -> last byte read. */
function exchange(
  slot: ClientSlot,
  spec: HttpSpec,
  headers: Record<string, string>,
  timeline: Timeline,
): Promise<Exchange> {
  const cap = spec.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return new Promise((resolve, reject) => {
    let abortRequest: ((err: Error) => void) | undefined;
    let sentAt = now();
    let firstByteAt: number | undefined;
    let status = 0;
    let responseHeaders: IncomingHttpHeaders = {};
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let bytes = 0;
    let settled = false;
    const settle = (capped: boolean): void => {
      if (settled) return;
      settled = true;
      if (firstByteAt !== undefined) timeline.record('transfer', firstByteAt);
      resolve({ status, headers: responseHeaders, bytes, body: Buffer.concat(kept), capped });
    };
    timeline.onAbort((reason) => abortRequest?.(reason as Error));
    // undici's handler: onRequestSent (request fully written) and onResponseStarted (first response
    // byte parsed) are the two instants ttfb needs.
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(controller) {
        abortRequest = (err) => controller.abort(err);
        timeline.enter('request');
      },
      onRequestSent() {
        slot.firstReadAt = undefined;
        sentAt = now();
        timeline.enter('ttfb');
      },
      onResponseStarted() {
        firstByteAt = slot.firstReadAt ?? now();
        timeline.record('ttfb', sentAt, firstByteAt);
      },
      onResponseStart(_controller, statusCode, headers) {
        if (statusCode < 200) return;
        if (firstByteAt === undefined) {
          firstByteAt = slot.firstReadAt ?? now();
          timeline.record('ttfb', sentAt, firstByteAt);
        }
        status = statusCode;
        responseHeaders = headers;
        // The ttfb limit covers the whole response head; the transfer limit starts here.
        timeline.enter('transfer');
      },
      onResponseData(_controller, chunk) {
        bytes += chunk.length;
        if (keptBytes < cap) {
          const part = chunk.subarray(0, cap - keptBytes);
          kept.push(part);
          keptBytes += part.length;
        }
        if (bytes > cap) {
          // Stop reading: the rest is discarded with the connection.
          settle(true);
          abortRequest?.(new CheckFailure('body_limit', `body larger than ${cap} bytes`, 'transfer'));
        }
      },
      onResponseEnd() {
        settle(false);
      },
      onResponseError(_controller, err) {
        if (!settled) {
          settled = true;
          reject(err);
        }
      },
    };
    slot.client.dispatch({ method: 'GET', path: spec.httpPath ?? '/', headers }, handler);
  });
}

function requestHeaders(spec: HttpSpec, traceparent: string): Record<string, string> {
  const headers: Record<string, string> = {
    'user-agent': 'flyprobe',
    accept: 'application/json, */*;q=0.5',
    ...spec.headers,
    [FLY_HEADERS.traceparent]: traceparent,
  };
  if (spec.path === 'pinned' && spec.targetRegion) headers[FLY_HEADERS.forceRegion] = spec.targetRegion;
  return headers;
}

function statusAccepted(spec: HttpSpec, status: number): boolean {
  return spec.expectStatus?.length ? spec.expectStatus.includes(status) : status >= 200 && status < 400;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function successOutput(
  spec: HttpSpec,
  timeline: Timeline,
  x: Exchange,
  httpVersion: '1.1' | '2',
  traceId: string,
): CheckOutput {
  const contentType = headerValue(x.headers, 'content-type') ?? '';
  const echo = !x.capped && contentType.includes('json') ? echoFromJson(x.body.toString('utf8')) : undefined;
  const edgeRegion = edgeFromRequestId(headerValue(x.headers, FLY_HEADERS.requestId)) ?? echo?.edgeRegion;
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

/**
 * Ends a finished measurement's connection but keeps its client; resolves once the client has seen the
 * close, so the next measurement's request opens a new connection instead of meeting a dead one.
 */
function closeConnection(socket: Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    if (!socket.destroyed) socket.destroy(MEASUREMENT_DONE);
  });
}

/** HTTP(S) GET with a fresh connection per measurement unless `keepAlive`; h1, h2 (ALPN) and h2c. */
export const httpCheck: Check<HttpSpec> = {
  protocol: 'http',
  async run(spec, signal) {
    const timeline = new Timeline({ totalMs: spec.timeoutMs, limits: spec.phaseTimeoutMs, signal });
    const { traceId, traceparent } = newTraceContext();
    // One connection per check (the scheduler never overlaps a check with itself), so the slot's timeline is ours.
    const key = spec.keepAlive ? keepAliveKey(spec) : undefined;
    const reusable = !spec.keepAlive && !spec.http2;
    let slot = key !== undefined ? keptClients.get(key) : reusable ? freshClients.get(spec) : undefined;
    if (!slot) {
      slot = newSlot(spec);
      if (key !== undefined) keptClients.set(key, slot);
      else if (reusable) freshClients.set(spec, slot);
    }
    slot.timeline = timeline;
    slot.socket = undefined;
    let result: Exchange | undefined;
    let error: unknown;
    try {
      result = await within(timeline, exchange(slot, spec, requestHeaders(spec, traceparent), timeline));
    } catch (err) {
      error = err;
    }
    timeline.finish();
    slot.timeline = undefined;
    const clean = error === undefined && !result?.capped;
    if (reusable && clean && slot.socket) {
      await closeConnection(slot.socket);
    } else if (!spec.keepAlive || !clean) {
      if (key !== undefined && keptClients.get(key) === slot) keptClients.delete(key);
      if (freshClients.get(spec) === slot) freshClients.delete(spec);
      slot.client.destroy(MEASUREMENT_DONE).catch(() => {});
    }
    slot.socket = undefined;
    if (result) return successOutput(spec, timeline, result, slot.httpVersion, traceId);
    return failedOutput(spec, 'http', timeline, error, { traceId });
  },
};
