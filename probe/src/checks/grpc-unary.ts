import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { bracketAddressesBefore, edgeFromRequestId, FLY_HEADERS, hostPort } from '@flyprobe/shared';
import {
  type ChannelOptions,
  type Client,
  type ClientUnaryCall,
  connectivityState,
  Metadata,
  type ServiceError,
} from '@grpc/grpc-js';
import type { Check, CheckSpec } from './check.ts';
import { within } from './connect.ts';
import { resolveHost } from './dns.ts';
import { type EchoReplyMessage, echoFromReply, servedBy } from './echo-info.ts';
import { CheckFailure } from './failure.ts';
import { credentials, echoClientConstructor } from './grpc-client.ts';
import { grpcOutcome, isGrpcError } from './grpc-status.ts';
import { failedOutput, resultBase } from './result.ts';
import { now, Timeline } from './timeline.ts';
import { newTraceContext } from './trace.ts';

/** Request metadata: trace context, the pinned region, the spec's extra headers. */
export function grpcMetadata(spec: CheckSpec, traceparent: string): Metadata {
  const md = new Metadata();
  for (const [k, v] of Object.entries(spec.headers ?? {})) md.set(k.toLowerCase(), v);
  md.set(FLY_HEADERS.traceparent, traceparent);
  if (spec.path === 'pinned' && spec.targetRegion) md.set(FLY_HEADERS.forceRegion, spec.targetRegion);
  return md;
}

/** Resolves `spec.host` on the timeline (dns phase only for names); returns the grpc-js target and options. */
export async function grpcTarget(
  spec: CheckSpec,
  timeline: Timeline,
): Promise<{ target: string; options: ChannelOptions }> {
  let address = spec.host;
  if (isIP(spec.host) === 0) {
    timeline.enter('dns');
    const t = now();
    address = (
      await within(timeline, resolveHost(spec.host, { resolver: spec.resolver, signal: timeline.signal }))
    ).address;
    timeline.record('dns', t);
  }
  const options: ChannelOptions = {
    // A private subchannel pool: a fresh connection per measurement, never one shared with other checks.
    'grpc.use_local_subchannel_pool': 1,
    'grpc.enable_retries': 0,
    'grpc.max_receive_message_length': 64 * 1024,
  };
  if (address !== spec.host) {
    options['grpc.default_authority'] = hostPort(spec.host, spec.port);
    if (spec.tls) options['grpc.ssl_target_name_override'] = spec.host;
  }
  return { target: hostPort(address, spec.port), options };
}

export function grpcCredentials(spec: CheckSpec) {
  if (!spec.tls) return credentials.createInsecure();
  return credentials.createSsl(null, null, null, spec.tlsInsecure ? { rejectUnauthorized: false } : {});
}

/** Resolves when the channel is READY, or with `failed` on TRANSIENT_FAILURE / SHUTDOWN. */
function channelReady(channel: ReturnType<Client['getChannel']>): Promise<'ready' | 'failed'> {
  return new Promise((resolve) => {
    const check = (): void => {
      const state = channel.getConnectivityState(true);
      if (state === connectivityState.READY) resolve('ready');
      else if (state === connectivityState.TRANSIENT_FAILURE || state === connectivityState.SHUTDOWN)
        resolve('failed');
      else channel.watchConnectivityState(state, Number.POSITIVE_INFINITY, check);
    };
    check();
  });
}

type PingFn = (
  req: { nonce: string },
  md: Metadata,
  opts: { waitForReady: boolean },
  cb: (err: ServiceError | null, reply?: EchoReplyMessage) => void,
) => ClientUnaryCall;

function ping(
  client: Client,
  nonce: string,
  md: Metadata,
  timeline: Timeline,
  onMetadata?: (md: Metadata) => void,
): Promise<EchoReplyMessage> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as { Ping: PingFn }).Ping.bind(client);
    const call = fn({ nonce }, md, { waitForReady: false }, (err, reply) => {
      if (err || !reply) reject(err ?? new CheckFailure('protocol', 'empty Ping reply'));
      else resolve(reply);
    });
    if (onMetadata) call.on('metadata', onMetadata);
    timeline.signal.addEventListener('abort', () => call.cancel(), { once: true });
  });
}

/** Classifies a grpc-js error (with its status code) or any other error on the timeline. */
function grpcFailure(spec: CheckSpec, timeline: Timeline, err: unknown) {
  if (isGrpcError(err) && !(err instanceof CheckFailure)) {
    return {
      ...failedOutput(spec, 'grpc', timeline, err),
      outcome: grpcOutcome(err),
      grpcCode: err.code,
      // grpc-js flattens the socket error into text: bracket IPv6 peers by the port it dialled.
      errorMessage: bracketAddressesBefore(
        err.details || err.message || `status ${err.code}`,
        spec.port,
      ).slice(0, 512),
    };
  }
  return failedOutput(spec, 'grpc', timeline, err);
}

/** gRPC unary Ping on a fresh channel: connect = channel ready, echo = the Ping round trip (= latencyMs). */
export const grpcUnaryCheck: Check = {
  protocol: 'grpc',
  async run(spec, signal) {
    const timeline = new Timeline({ totalMs: spec.timeoutMs, limits: spec.phaseTimeoutMs, signal });
    const { traceId, traceparent } = newTraceContext();
    let client: Client | undefined;
    try {
      const { target, options } = await grpcTarget(spec, timeline);
      const Ctor = echoClientConstructor();
      client = new Ctor(target, grpcCredentials(spec), options);
      const md = grpcMetadata(spec, traceparent);
      const nonce = randomBytes(12).toString('hex');
      timeline.enter('connect');
      const t1 = now();
      if ((await within(timeline, channelReady(client.getChannel()))) === 'failed') {
        // A call that does not wait for ready fails at once with the connection's last error in its details.
        await within(timeline, ping(client, nonce, md, timeline));
      }
      timeline.record('connect', t1);
      timeline.enter('echo');
      const t2 = now();
      let requestId: string | undefined;
      const reply = await within(
        timeline,
        ping(client, nonce, md, timeline, (m) => {
          requestId = m.get(FLY_HEADERS.requestId)[0]?.toString();
        }),
      );
      timeline.record('echo', t2);
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
      return { ...grpcFailure(spec, timeline, err), traceId };
    } finally {
      client?.close();
    }
  },
};
