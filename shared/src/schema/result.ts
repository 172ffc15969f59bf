import { z } from 'zod';
import { protocol } from './checks/index.ts';
import {
  count,
  durationMs,
  epochMs,
  identifier,
  machineRegion,
  networkPath,
  regionCode,
  text,
} from './common.ts';
import { echoInfo } from './echo.ts';

/** How a measurement ended. Everything but `ok` is a failure counted in loss. */
export const OUTCOMES = [
  'ok',
  'reset', // TCP RST at any stage, or an HTTP/2 / gRPC stream reset by the peer
  'refused', // connection refused (RST to SYN)
  'timeout', // a phase or the whole check ran out of time
  'unreachable', // no route, host or network unreachable
  'eof', // the peer closed the connection cleanly before the exchange completed
  'dns', // name resolution failed
  'tls', // TLS handshake failed
  'http_status', // an HTTP status the check does not accept
  'grpc_status', // a gRPC call ended with a non-OK status
  'protocol', // the peer spoke something unexpected (bad echo, malformed frame)
  'body_limit', // the body exceeded the configured cap (only when the check treats it as failure)
  'error', // anything else; see errorMessage
] as const;
export const outcome = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof outcome>;

/** Phase durations in ms measured with a monotonic clock. A phase that did not happen is absent, never 0. */
export const phases = z.strictObject({
  dns: durationMs.optional(),
  connect: durationMs.optional(),
  tls: durationMs.optional(),
  /** Request fully sent -> first response byte. */
  ttfb: durationMs.optional(),
  /** First byte -> last byte read. */
  transfer: durationMs.optional(),
  /** TCP echo or gRPC unary round trip on an already open connection. */
  echo: durationMs.optional(),
  /** gRPC: an HTTP/2 PING round trip on the measurement's connection (network only, no application). */
  ping: durationMs.optional(),
  total: durationMs.optional(),
});
export type Phases = z.infer<typeof phases>;

export const STREAM_END_REASONS = [
  'ok',
  'status',
  'rst_stream',
  'goaway',
  'reset',
  'timeout',
  'cancelled',
  'stall',
] as const;

/** A long-lived gRPC server stream: one `sample` while it is open, one `end` when it ends. */
export const streamInfo = z.strictObject({
  streamId: identifier,
  event: z.enum(['sample', 'end']),
  openedAt: epochMs,
  lifetimeMs: durationMs,
  ticks: count,
  /** Largest gap between two ticks (or since the last tick, while open). */
  maxGapMs: durationMs,
  endReason: z.enum(STREAM_END_REASONS).optional(),
});
export type StreamInfo = z.infer<typeof streamInfo>;

export const probeResult = z.strictObject({
  /** Per (probe id, boot id) monotonically increasing; the idempotency key with them. */
  seq: count,
  target: identifier,
  path: networkPath,
  protocol,
  /** The region asked for: forced region (pinned), private region, or the peer's region (mesh). Absent for anycast. */
  targetRegion: machineRegion.optional(),
  /** Mesh: the peer probe's id. */
  peer: identifier.optional(),
  startedAt: epochMs,
  /** The one figure latency matrices use: one application round trip to the served Machine. Present only when ok. */
  latencyMs: durationMs.optional(),
  phases,
  outcome,
  errorMessage: text.optional(),
  /** The phase in which a failure happened. */
  failedPhase: z.enum(['dns', 'connect', 'tls', 'request', 'ttfb', 'transfer', 'echo', 'stream']).optional(),
  httpStatus: z.number().int().min(100).max(599).optional(),
  httpVersion: z.enum(['1.1', '2']).optional(),
  bytes: count.optional(),
  grpcCode: z.number().int().min(0).max(16).optional(),
  /** Edge region that accepted the connection: `Fly-Region` seen by the echo, or the `Fly-Request-Id` suffix. */
  edgeRegion: regionCode.optional(),
  /** Region of the Machine that answered (from the echo). */
  servedRegion: machineRegion.optional(),
  servedMachine: identifier.optional(),
  echo: echoInfo.optional(),
  stream: streamInfo.optional(),
  /** The probe's own event loop or CPU was unhealthy while measuring: excluded from latency detectors. */
  degraded: z.boolean().optional(),
  traceId: z
    .string()
    .regex(/^[0-9a-f]{32}$/, { message: 'must be 32 lowercase hex digits' })
    .optional(),
});
export type ProbeResult = z.infer<typeof probeResult>;
