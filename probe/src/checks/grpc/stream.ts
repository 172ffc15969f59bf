import { randomBytes } from 'node:crypto';
import { type ClientHttp2Session, type ClientHttp2Stream, constants } from 'node:http2';
import type { Socket } from 'node:net';
import {
  decodeTick,
  edgeFromRequestId,
  encodeTicksRequest,
  FLY_HEADERS,
  type Outcome,
  type STREAM_END_REASONS,
  type StreamInfo,
  type TickMessage,
} from '@flyprobe/shared';
import type { CheckOutput, StreamCheck } from '../core/check.ts';
import { within } from '../core/connect.ts';
import { echoFromReply, servedBy } from '../core/echo-info.ts';
import { CheckFailure, classifyError, describeError } from '../core/failure.ts';
import { failedOutput, resultBase } from '../core/result.ts';
import { elapsed, now, Timeline } from '../core/timeline.ts';
import { newTraceContext } from '../core/trace.ts';
import { frameMessage, GrpcFrameReader } from './frames.ts';
import { grpcRequestHeaders, openGrpcSession } from './session.ts';
import type { GrpcSpec } from './spec.ts';

type EndReason = (typeof STREAM_END_REASONS)[number];

const OUTCOME_OF: Record<EndReason, Outcome> = {
  ok: 'ok',
  cancelled: 'ok',
  status: 'grpc_status',
  rst_stream: 'reset',
  goaway: 'reset',
  reset: 'reset',
  timeout: 'timeout',
  stall: 'timeout',
};

/** The end reason of a stream that never opened, from its failure outcome. */
function reasonForFailure(outcome: Outcome): EndReason | undefined {
  if (outcome === 'timeout') return 'timeout';
  if (outcome === 'reset') return 'reset';
  return undefined;
}

/**
 * A Ticks server stream held open until it ends. It speaks gRPC over node:http2 directly (messages
 * encoded by shared/src/echo-messages.ts) because grpc-js reports GOAWAY, RST_STREAM and transport resets all as
 * "UNAVAILABLE: Connection dropped"; here each one is an end reason of its own.
 */
class TickStream {
  readonly #spec: GrpcSpec;
  readonly #emit: (output: CheckOutput) => void;
  readonly #timeline: Timeline;
  readonly #streamId = randomBytes(8).toString('hex');
  readonly #traceId: string;
  readonly #traceparent: string;
  #session: ClientHttp2Session | undefined;
  #stream: ClientHttp2Stream | undefined;
  #socket: Socket | undefined;
  #ticks = 0;
  #lastTickAt = 0;
  #maxGap = 0;
  #goaway = false;
  /** Set at the end of a stream that closed without a status: does its connection live on? */
  #connectionAlive = false;
  #transportError: Error | undefined;
  #grpcStatus: number | undefined;
  #grpcMessage = '';
  #forced: { reason: EndReason; outcome?: Outcome; message?: string } | undefined;
  #echo: ReturnType<typeof echoFromReply>;
  #edge: string | undefined;
  #sampleTimer: NodeJS.Timeout | undefined;
  #stallTimer: NodeJS.Timeout | undefined;
  readonly #stallAfterMs: number;
  readonly #tickIntervalMs: number;

  constructor(spec: GrpcSpec, emit: (output: CheckOutput) => void, signal: AbortSignal) {
    this.#spec = spec;
    this.#emit = emit;
    this.#timeline = new Timeline({ totalMs: spec.timeoutMs, limits: spec.phaseTimeoutMs, signal });
    ({ traceId: this.#traceId, traceparent: this.#traceparent } = newTraceContext());
    this.#tickIntervalMs = spec.tickIntervalMs ?? 1000;
    this.#stallAfterMs = spec.stallAfterMs ?? Math.max(5000, 5 * this.#tickIntervalMs);
  }

  async hold(signal: AbortSignal): Promise<void> {
    const timeline = this.#timeline;
    let stream: ClientHttp2Stream;
    try {
      stream = await within(timeline, this.#open());
    } catch (err) {
      timeline.finish();
      this.#destroy();
      const failed = failedOutput(this.#spec, 'grpc', timeline, err, { traceId: this.#traceId });
      const reason = reasonForFailure(failed.outcome);
      this.#emit({ ...failed, stream: this.#info('end', reason) });
      return;
    }
    timeline.finish();
    this.#lastTickAt = now();
    this.#armStall();
    const sampleEvery = this.#spec.sampleIntervalMs ?? 15_000;
    this.#sampleTimer = setInterval(() => this.#emit(this.#output('sample')), sampleEvery);
    const onAbort = (): void => this.#cancel('cancelled');
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    await new Promise<void>((resolve) => {
      // Session errors and GOAWAY may arrive just after the stream closes; let them land first.
      if (stream.destroyed) setImmediate(resolve);
      else
        stream.once('close', () => {
          setImmediate(resolve);
        });
    });
    signal.removeEventListener('abort', onAbort);
    clearInterval(this.#sampleTimer);
    clearTimeout(this.#stallTimer);
    if (!this.#forced && this.#grpcStatus === undefined && !this.#goaway && !this.#transportError)
      this.#connectionAlive = await this.#pingConnection();
    this.#emit(this.#output('end'));
    this.#destroy();
  }

  /** dns/connect/tls on the timeline, then the Ticks call up to its response headers (`ttfb`). */
  async #open(): Promise<ClientHttp2Stream> {
    const spec = this.#spec;
    const timeline = this.#timeline;
    const { socket, session } = await openGrpcSession(spec, timeline);
    this.#socket = socket;
    socket.on('error', (err) => {
      this.#transportError ??= err;
    });
    this.#session = session;
    session.on('goaway', () => {
      this.#goaway = true;
    });
    session.on('error', (err) => {
      this.#transportError ??= err;
    });
    timeline.enter('request');
    const headers = grpcRequestHeaders(spec, 'Ticks', this.#traceparent);
    const stream = session.request(headers);
    this.#stream = stream;
    this.#watch(stream);
    const sentAt = now();
    stream.end(frameMessage(encodeTicksRequest({ intervalMs: this.#tickIntervalMs, maxTicks: 0 })));
    timeline.enter('ttfb');
    await new Promise<void>((resolve, reject) => {
      const onClose = (): void => {
        setImmediate(() => reject(this.#openError()));
      };
      stream.once('response', (h) => {
        stream.off('close', onClose);
        timeline.record('ttfb', sentAt);
        this.#edge = edgeFromRequestId(String(h[FLY_HEADERS.requestId] ?? ''));
        const status = Number(h[':status']);
        if (status !== 200) {
          reject(new CheckFailure('protocol', `HTTP status ${status} for a gRPC call`, 'ttfb'));
          return;
        }
        // Trailers-only answer: the call failed before any message.
        if (h['grpc-status'] !== undefined) this.#setStatus(h);
        resolve();
      });
      stream.once('close', onClose);
    });
    return stream;
  }

  #openError(): Error {
    if (this.#transportError) return this.#transportError;
    if (this.#goaway) return new CheckFailure('reset', 'GOAWAY before the stream opened');
    return new CheckFailure(
      'reset',
      `stream closed before its response (RST_STREAM ${this.#stream?.rstCode ?? 0})`,
    );
  }

  #setStatus(h: Record<string, unknown>): void {
    this.#grpcStatus = Number(h['grpc-status']);
    this.#grpcMessage = decodeURIComponent(String(h['grpc-message'] ?? ''));
  }

  #watch(stream: ClientHttp2Stream): void {
    const reader = new GrpcFrameReader();
    stream.on('data', (chunk: Buffer) => {
      try {
        for (const msg of reader.push(chunk)) this.#onTick(decodeTick(msg));
      } catch (err) {
        this.#cancel('reset', classifyError(err), describeError(err));
      }
    });
    stream.on('trailers', (t) => this.#setStatus(t));
    stream.on('error', (err) => {
      if ((err as { code?: string }).code !== 'ERR_HTTP2_STREAM_ERROR') this.#transportError ??= err;
    });
  }

  #onTick(tick: TickMessage): void {
    const t = now();
    this.#maxGap = Math.max(this.#maxGap, t - this.#lastTickAt);
    this.#lastTickAt = t;
    this.#ticks += 1;
    if (!this.#echo && tick.server) this.#echo = echoFromReply(tick.server);
    this.#armStall();
  }

  #armStall(): void {
    clearTimeout(this.#stallTimer);
    this.#stallTimer = setTimeout(
      () => this.#cancel('stall', 'timeout', `no tick for ${this.#stallAfterMs} ms`),
      this.#stallAfterMs,
    );
  }

  #cancel(reason: EndReason, outcome?: Outcome, message?: string): void {
    this.#forced ??= { reason, outcome, message };
    this.#stream?.close(constants.NGHTTP2_CANCEL);
  }

  #endReason(): EndReason {
    if (this.#forced) return this.#forced.reason;
    if (this.#grpcStatus !== undefined) {
      if (this.#grpcStatus === 0) return 'ok';
      return this.#goaway ? 'goaway' : 'status';
    }
    if (this.#goaway) return 'goaway';
    if (this.#transportError) return 'reset';
    // A stream that died while its connection lives on was reset by the peer (RST_STREAM). Node reports
    // rstCode 0 for a RST_STREAM on a stream the client already half-closed (every gRPC server stream),
    // and CANCEL when the connection itself dropped, so the connection's state decides, not rstCode.
    return this.#connectionAlive ? 'rst_stream' : 'reset';
  }

  /** Whether the connection still answers an HTTP/2 PING (bounded by the stall limit). */
  #pingConnection(): Promise<boolean> {
    const session = this.#session;
    if (!session || session.closed || session.destroyed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), this.#stallAfterMs);
      const done = (alive: boolean): void => {
        clearTimeout(timer);
        resolve(alive);
      };
      session.once('close', () => done(false));
      try {
        if (!session.ping((err) => done(!err))) done(false);
      } catch {
        done(false);
      }
    });
  }

  #endMessage(reason: EndReason): string | undefined {
    if (this.#forced?.message) return this.#forced.message;
    switch (reason) {
      case 'status':
        return `grpc-status ${this.#grpcStatus}: ${this.#grpcMessage}`.slice(0, 512);
      case 'goaway':
        return 'connection closed by GOAWAY';
      case 'rst_stream':
        return this.#stream?.rstCode
          ? `RST_STREAM with code ${this.#stream.rstCode}`
          : 'stream reset by the peer';
      case 'reset':
        return this.#transportError
          ? describeError(this.#transportError)
          : 'connection closed without a gRPC status';
      default:
        return undefined;
    }
  }

  #info(event: 'sample' | 'end', endReason?: EndReason): StreamInfo {
    const t = now();
    const sinceLast = this.#lastTickAt ? t - this.#lastTickAt : 0;
    return {
      streamId: this.#streamId,
      event,
      openedAt: this.#timeline.startedAt,
      lifetimeMs: elapsed(this.#timeline.t0, t),
      ticks: this.#ticks,
      maxGapMs: Math.round(Math.max(this.#maxGap, sinceLast) * 1000) / 1000,
      ...(endReason ? { endReason } : {}),
    };
  }

  #output(event: 'sample' | 'end'): CheckOutput {
    const reason = event === 'end' ? this.#endReason() : undefined;
    const outcome = reason ? (this.#forced?.outcome ?? OUTCOME_OF[reason]) : 'ok';
    const message = reason && outcome !== 'ok' ? this.#endMessage(reason) : undefined;
    const edgeRegion = this.#edge ?? this.#echo?.edgeRegion;
    return {
      ...resultBase(this.#spec, 'grpc', this.#timeline.startedAt),
      phases: { ...this.#timeline.phases, total: elapsed(this.#timeline.t0) },
      outcome,
      ...(message ? { errorMessage: message } : {}),
      ...(outcome !== 'ok' ? { failedPhase: 'stream' as const } : {}),
      ...(this.#grpcStatus !== undefined ? { grpcCode: this.#grpcStatus } : {}),
      ...(edgeRegion ? { edgeRegion } : {}),
      ...servedBy(this.#echo),
      stream: this.#info(event, reason),
      traceId: this.#traceId,
    };
  }

  #destroy(): void {
    this.#session?.destroy();
    this.#socket?.destroy();
  }
}

/** Holds a gRPC Ticks stream: a `sample` every `sampleIntervalMs` while open, an `end` when it ends. */
export const grpcStreamCheck: StreamCheck<GrpcSpec> = {
  protocol: 'grpc',
  hold(spec, emit, signal) {
    return new TickStream(spec, emit, signal).hold(signal);
  },
};
