import { randomBytes } from 'node:crypto';
import { type ClientHttp2Session, constants } from 'node:http2';
import {
  decodeEchoReply,
  type EchoReplyMessage,
  edgeFromRequestId,
  encodePingRequest,
  FLY_HEADERS,
} from '@flyprobe/shared';
import type { Check } from '../core/check.ts';
import { within } from '../core/connect.ts';
import { echoFromReply, servedBy } from '../core/echo-info.ts';
import { CheckFailure } from '../core/failure.ts';
import { failedOutput, resultBase } from '../core/result.ts';
import { now, Timeline } from '../core/timeline.ts';
import { newTraceContext } from '../core/trace.ts';
import { frameMessage, GrpcFrameReader } from './frames.ts';
import { grpcRequestHeaders, openGrpcSession, pingSession } from './session.ts';
import type { GrpcSpec } from './spec.ts';
import { GRPC_STATUS, grpcOutcome, isGrpcError } from './status.ts';

/** A call that ended without an OK status, shaped like a gRPC error so `grpcOutcome` classifies it. */
class CallError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(details);
  }
}

/** One unary Ping call on `session`: the reply message and the Fly-Request-Id header, or a CallError. */
function unaryPing(
  session: ClientHttp2Session,
  headers: Record<string, string>,
  nonce: string,
): Promise<{ reply: EchoReplyMessage; requestId: string | undefined }> {
  return new Promise((resolve, reject) => {
    let goaway = false;
    let transportError: Error | undefined;
    const onGoaway = (): void => {
      goaway = true;
    };
    const onError = (err: Error): void => {
      transportError ??= err;
    };
    session.on('goaway', onGoaway).on('error', onError);
    const stream = session.request(headers);
    const reader = new GrpcFrameReader();
    const messages: Buffer[] = [];
    let grpcStatus: number | undefined;
    let grpcMessage = '';
    let requestId: string | undefined;
    let failure: Error | undefined;
    const setStatus = (h: Record<string, unknown>): void => {
      if (h['grpc-status'] === undefined) return;
      grpcStatus = Number(h['grpc-status']);
      grpcMessage = decodeURIComponent(String(h['grpc-message'] ?? ''));
    };
    stream.on('response', (h) => {
      requestId = h[FLY_HEADERS.requestId] === undefined ? undefined : String(h[FLY_HEADERS.requestId]);
      const code = Number(h[':status']);
      if (code !== 200)
        failure ??= new CheckFailure('protocol', `HTTP status ${code} for a gRPC call`, 'echo');
      setStatus(h);
    });
    stream.on('data', (chunk: Buffer) => {
      try {
        messages.push(...reader.push(chunk));
      } catch (err) {
        failure ??= err as Error;
        stream.close(constants.NGHTTP2_CANCEL);
      }
    });
    stream.on('trailers', (t) => setStatus(t));
    stream.on('error', (err) => {
      if ((err as { code?: string }).code !== 'ERR_HTTP2_STREAM_ERROR') transportError ??= err;
    });
    stream.on('close', () => {
      // Session errors and GOAWAY may arrive just after the stream closes; let them land first.
      setImmediate(() => {
        session.off('goaway', onGoaway).off('error', onError);
        if (failure) reject(failure);
        else if (grpcStatus === undefined) {
          if (transportError && !goaway) reject(transportError);
          else
            reject(
              new CallError(
                GRPC_STATUS.UNAVAILABLE,
                goaway
                  ? 'GOAWAY before the call completed'
                  : `RST_STREAM ${stream.rstCode ?? 0} before the call completed`,
              ),
            );
        } else if (grpcStatus !== GRPC_STATUS.OK)
          reject(new CallError(grpcStatus, grpcMessage || `status ${grpcStatus}`));
        else if (messages.length !== 1)
          reject(new CheckFailure('protocol', `Ping answered with ${messages.length} messages`, 'echo'));
        else {
          try {
            resolve({ reply: decodeEchoReply(messages[0] as Buffer), requestId });
          } catch (err) {
            reject(new CheckFailure('protocol', `undecodable Ping reply: ${(err as Error).message}`, 'echo'));
          }
        }
      });
    });
    stream.end(frameMessage(encodePingRequest({ nonce })));
  });
}

/**
 * gRPC unary Ping on a fresh HTTP/2 connection: connect = the TCP handshake, ping = an HTTP/2 PING round
 * trip on that connection (answered by the peer's HTTP/2 stack: the network round trip without any
 * application in it), echo = the Ping call's round trip (= latencyMs, one application round trip like the
 * other protocols'). On the anycast and pinned paths the PING is answered by the edge, the first HTTP/2 hop.
 */
export const grpcUnaryCheck: Check<GrpcSpec> = {
  protocol: 'grpc',
  async run(spec, signal) {
    const timeline = new Timeline({ totalMs: spec.timeoutMs, limits: spec.phaseTimeoutMs, signal });
    const { traceId, traceparent } = newTraceContext();
    let session: ClientHttp2Session | undefined;
    let socket: { destroy(): void } | undefined;
    try {
      ({ session, socket } = await within(timeline, openGrpcSession(spec, timeline)));
      const open = session;
      open.on('error', () => {});
      timeline.onAbort(() => open.destroy());
      timeline.enter('request');
      const pingStart = now();
      const pingMs = await within(timeline, pingSession(open));
      timeline.record('ping', pingStart, pingStart + pingMs);
      timeline.enter('echo');
      const nonce = randomBytes(12).toString('hex');
      const t = now();
      const { reply, requestId } = await within(
        timeline,
        unaryPing(open, grpcRequestHeaders(spec, 'Ping', traceparent), nonce),
      );
      timeline.record('echo', t);
      if (reply.nonce !== nonce)
        throw new CheckFailure('protocol', 'Ping reply does not carry the nonce sent', 'echo');
      timeline.finish();
      const echo = echoFromReply(reply);
      const edgeRegion = edgeFromRequestId(requestId) ?? echo?.edgeRegion;
      return {
        ...resultBase(spec, 'grpc', timeline.startedAt),
        latencyMs: timeline.phases.echo,
        phases: { ...timeline.phases },
        outcome: 'ok',
        grpcCode: 0,
        ...(edgeRegion ? { edgeRegion } : {}),
        ...servedBy(echo),
        traceId,
      };
    } catch (err) {
      timeline.finish();
      if (isGrpcError(err) && err instanceof CallError)
        return {
          ...failedOutput(spec, 'grpc', timeline, err),
          outcome: grpcOutcome(err),
          grpcCode: err.code,
          errorMessage: err.details.slice(0, 512),
          traceId,
        };
      return { ...failedOutput(spec, 'grpc', timeline, err), traceId };
    } finally {
      session?.destroy();
      socket?.destroy();
    }
  },
};
