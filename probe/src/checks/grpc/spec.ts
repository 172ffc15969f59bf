import type { SpecBase } from '../core/check.ts';

/** One gRPC unary Ping, or one tick stream (the stream fields apply only to streams). */
export interface GrpcSpec extends SpecBase {
  protocol: 'grpc';
  tls?: boolean;
  /** Accept any server certificate (self-signed lab targets). */
  tlsInsecure?: boolean;
  /** Extra request metadata (fly-force-region for the pinned path). */
  headers?: Record<string, string>;
  /** Tick streams: server tick interval (default 1000 ms). */
  tickIntervalMs?: number;
  /** Tick streams: how often an open stream emits a `sample` (default 15 s). */
  sampleIntervalMs?: number;
  /** Tick streams: a gap without ticks this long ends the stream as `stall` (default max(5 s, 5 ticks)). */
  stallAfterMs?: number;
}
