import { randomUUID } from 'node:crypto';
import { type EchoResponse, REGION_CODE_PATTERN } from '@flyprobe/shared';
import type { EchoIdentity } from './identity.ts';

/** Response header carrying the echo's request id (also in the body). */
export const REQUEST_ID_HEADER = 'x-flyprobe-request-id';

/** The edge region from a `Fly-Region` header or metadata value, when it is a region code. */
export function edgeRegionOf(value: string | string[] | undefined | null): string | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim().toLowerCase();
  return v && REGION_CODE_PATTERN.test(v) ? v : undefined;
}

/** What every echo answer says: who served it, the edge it came through, when it arrived. */
export function echoReply(
  identity: EchoIdentity,
  protocol: EchoResponse['protocol'],
  flyRegion?: string | string[] | null,
): EchoResponse {
  const edgeRegion = edgeRegionOf(flyRegion);
  const reply: EchoResponse = {
    schemaVersion: 1,
    protocol,
    region: identity.region,
    machineId: identity.machineId,
    ...(identity.app ? { app: identity.app } : {}),
    startedAt: identity.startedAt,
    ...(identity.imageRef ? { imageRef: identity.imageRef } : {}),
    ...(edgeRegion ? { edgeRegion } : {}),
    receivedAt: Date.now(),
    requestId: randomUUID(),
  };
  const pressure = identity.pressure?.();
  return pressure ? { ...reply, pressure } : reply;
}
