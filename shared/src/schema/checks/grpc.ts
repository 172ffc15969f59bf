import { z } from 'zod';
import { durationAtLeast } from '../common.ts';
import { port } from './port.ts';

/** `targets[].grpc`: the gRPC check's options, unary Ping and tick streams (probe/src/checks/grpc). */
export const grpcTargetOptions = z
  .strictObject({
    port: port.default(50051),
    tls: z.boolean().default(false),
    /** Long-lived tick streams held open per (path, region); 0 disables. */
    streams: z.number().int().min(0).max(8).default(1),
    tickIntervalMs: durationAtLeast(50).default(1000),
    /** A stream is closed and reopened after this long, so stream lifetimes stay bounded. */
    maxStreamLifetimeMs: durationAtLeast(1000).default(600_000),
  })
  .prefault({});
