import { ECHO_SERVICE, type EchoReplyMessage, FLY_HEADERS } from '@flyprobe/shared';
import {
  loadPackageDefinition,
  Metadata,
  type Server,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { echoPackageDefinition } from '../checks/grpc/proto.ts';
import type { EchoIdentity } from './identity.ts';
import { echoReply } from './reply.ts';

const MIN_TICK_MS = 50;
const MAX_TICK_MS = 60_000;

/** The flyprobe.echo.v1.Echo service definition, for `server.addService`. */
export function echoServiceDefinition(): ServiceDefinition {
  let node: unknown = loadPackageDefinition(echoPackageDefinition());
  for (const part of ECHO_SERVICE.split('.')) node = (node as Record<string, unknown>)[part];
  return (node as { service: ServiceDefinition }).service;
}

function replyMessage(identity: EchoIdentity, metadata: Metadata, nonce = ''): EchoReplyMessage {
  const r = echoReply(identity, 'grpc', metadata.get(FLY_HEADERS.region)[0]?.toString());
  return {
    nonce,
    region: r.region,
    machineId: r.machineId,
    app: r.app ?? '',
    startedAt: r.startedAt,
    imageRef: r.imageRef ?? '',
    edgeRegion: r.edgeRegion ?? '',
    receivedAt: r.receivedAt,
    requestId: r.requestId,
  };
}

/** Ping answers with who served it; Ticks streams a tick every `interval_ms` (clamped) until `max_ticks` or cancel. */
export function echoServiceImplementation(identity: EchoIdentity): UntypedServiceImplementation {
  return {
    Ping(
      call: ServerUnaryCall<{ nonce: string }, EchoReplyMessage>,
      callback: sendUnaryData<EchoReplyMessage>,
    ) {
      callback(null, replyMessage(identity, call.metadata, call.request.nonce));
    },
    Ticks(call: ServerWritableStream<{ intervalMs: number; maxTicks: number }, unknown>) {
      const server = replyMessage(identity, call.metadata);
      const interval = Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, call.request.intervalMs || 1000));
      const max = call.request.maxTicks;
      // Response headers now, not with the first tick: the client sees the stream open at once.
      call.sendMetadata(new Metadata());
      let seq = 0;
      const tick = (): void => {
        seq += 1;
        call.write({ seq, sentAt: Date.now(), server });
        if (max > 0 && seq >= max) {
          clearInterval(timer);
          call.end();
        }
      };
      const timer = setInterval(tick, interval);
      const stop = (): void => clearInterval(timer);
      call.on('cancelled', stop);
      call.on('close', stop);
      call.on('error', stop);
    },
  };
}

/** Adds the echo service to an existing grpc-js server (mount it next to the user's own services). */
export function addEchoService(server: Server, identity: EchoIdentity): void {
  server.addService(echoServiceDefinition(), echoServiceImplementation(identity));
}
