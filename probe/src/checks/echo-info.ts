import { type EchoInfo, echoInfo, echoResponse, parseWith } from '@flyprobe/shared';

/** Echo info from an echo server's JSON answer; undefined for any other body (a non-echo target is fine). */
export function echoFromJson(text: string): EchoInfo | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = parseWith(echoResponse, json);
  if (!parsed.ok) return undefined;
  const { schemaVersion: _v, protocol: _p, ...info } = parsed.value;
  return info;
}

/** The gRPC EchoReply as proto-loader decodes it (camelCase, empty strings for unset fields). */
export interface EchoReplyMessage {
  nonce: string;
  region: string;
  machineId: string;
  app: string;
  startedAt: number;
  imageRef: string;
  edgeRegion: string;
  receivedAt: number;
  requestId: string;
}

export function echoFromReply(reply: EchoReplyMessage): EchoInfo | undefined {
  const parsed = parseWith(echoInfo, {
    region: reply.region,
    machineId: reply.machineId,
    ...(reply.app ? { app: reply.app } : {}),
    startedAt: reply.startedAt,
    ...(reply.imageRef ? { imageRef: reply.imageRef } : {}),
    ...(reply.edgeRegion ? { edgeRegion: reply.edgeRegion } : {}),
    receivedAt: reply.receivedAt,
    requestId: reply.requestId,
  });
  return parsed.ok ? parsed.value : undefined;
}

/** Result fields that say who served a request. */
export function servedBy(echo: EchoInfo | undefined): {
  echo?: EchoInfo;
  servedRegion?: string;
  servedMachine?: string;
} {
  return echo ? { echo, servedRegion: echo.region, servedMachine: echo.machineId } : {};
}
