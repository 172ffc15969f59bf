import { z } from 'zod';
import { count, epochMs, identifier, machineRegion, regionCode, text } from './common.ts';

/**
 * The serving Machine's cgroup v2 counters, cumulative since the cgroup was created (so they survive a process
 * restart in the same cgroup): cpu.stat throttling, memory.events (high, oom, oom_kill), memory.pressure.
 * Each is present only where readable.
 */
export const echoPressure = z.strictObject({
  cpuNrThrottled: count.optional(),
  cpuThrottledUsec: count.optional(),
  memoryHigh: count.optional(),
  memoryOom: count.optional(),
  memoryOomKill: count.optional(),
  /** memory.pressure `some avg10`, percent. */
  memorySomeAvg10: z.number().min(0).max(100).optional(),
  /** memory.max in bytes; absent when unlimited. */
  memoryMaxBytes: count.optional(),
});
export type EchoPressure = z.infer<typeof echoPressure>;

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
  pressure: echoPressure.optional(),
});
export type EchoInfo = z.infer<typeof echoInfo>;

/** Body of the echo server's HTTP answer (`GET /echo`). */
export const echoResponse = echoInfo.extend({
  schemaVersion: z.literal(1),
  protocol: z.enum(['http', 'tcp', 'grpc']),
});
export type EchoResponse = z.infer<typeof echoResponse>;
