import {
  type EchoInfo,
  type EchoReplyMessage,
  echoInfo,
  isEchoPressure,
  isEpochMs,
  isIdentifier,
  isMachineRegionCode,
  isText,
  isWellFormedRegion,
  parseWith,
} from '@flyprobe/shared';

// The shared `echoResponse` schema, checked by hand: zod cost ~3% of the probe's CPU on every HTTP
// measurement. echo-info.test.ts holds this to the same verdicts as the schema.
const ECHO_KEYS = new Set([
  'region',
  'machineId',
  'app',
  'startedAt',
  'imageRef',
  'edgeRegion',
  'receivedAt',
  'requestId',
  'schemaVersion',
  'protocol',
  'pressure',
]);

/** Echo info from an echo server's JSON answer; undefined for any other body (a non-echo target is fine). */
export function echoFromJson(text: string): EchoInfo | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const o = json as Record<string, unknown>;
  for (const key in o) if (!ECHO_KEYS.has(key)) return undefined;
  if (o.schemaVersion !== 1 || (o.protocol !== 'http' && o.protocol !== 'tcp' && o.protocol !== 'grpc'))
    return undefined;
  const { region, machineId, app, startedAt, imageRef, edgeRegion, receivedAt, requestId } = o;
  const pressure = o.pressure;
  if (pressure !== undefined && !isEchoPressure(pressure)) return undefined;
  if (!isMachineRegionCode(region) || !isIdentifier(machineId) || !isIdentifier(requestId)) return undefined;
  if (!isEpochMs(startedAt) || !isEpochMs(receivedAt)) return undefined;
  if (app !== undefined && !isIdentifier(app)) return undefined;
  if (imageRef !== undefined && !isText(imageRef)) return undefined;
  if (edgeRegion !== undefined && !isWellFormedRegion(edgeRegion)) return undefined;
  return {
    region,
    machineId,
    ...(app !== undefined ? { app } : {}),
    startedAt,
    ...(imageRef !== undefined ? { imageRef } : {}),
    ...(edgeRegion !== undefined ? { edgeRegion } : {}),
    receivedAt,
    requestId,
    ...(pressure !== undefined ? { pressure } : {}),
  };
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
