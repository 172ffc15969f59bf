import type { Check, StreamCheck } from '../checks/core/check.ts';

/** The check implementations the scheduler runs, by protocol; a missing one skips its checks. */
export interface CheckSet {
  http?: Check;
  tcp?: Check;
  grpc?: Check;
  /** gRPC tick streams. */
  grpcStream?: StreamCheck;
}
