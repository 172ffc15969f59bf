import { z } from 'zod';
import { epochMs, identifier, machineRegion, regionCode, text } from './common.ts';

/** What an echo server says about who served a request. */
export const echoInfo = z.strictObject({
  region: machineRegion,
  machineId: identifier,
  app: identifier.optional(),
  /** Echo process start time; a change without an imageRef change is a restart without deploy. */
  startedAt: epochMs,
  imageRef: text.optional(),
  /** The request's `Fly-Region` header as the echo received it (the edge), when there was one. */
  edgeRegion: regionCode.optional(),
  /** Server wall clock when the request arrived (for one-way-delay change detection only). */
  receivedAt: epochMs,
  requestId: identifier,
});
export type EchoInfo = z.infer<typeof echoInfo>;

/** Body of the echo server's HTTP answer (`GET /echo`). */
export const echoResponse = echoInfo.extend({
  schemaVersion: z.literal(1),
  protocol: z.enum(['http', 'tcp', 'grpc']),
});
export type EchoResponse = z.infer<typeof echoResponse>;
