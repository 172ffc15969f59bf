import { FLY_HEADERS } from '@flyprobe/shared';
import type { MeshPlacement, PlannedSpecs, TargetPlacement } from '../core/check.ts';
import type { GrpcSpec } from './spec.ts';

/** A unary Ping, plus `grpc.streams` tick streams; the pinned path asks for its region in metadata. */
export function planGrpc({ target, base, over6pn }: TargetPlacement): PlannedSpecs<GrpcSpec> {
  const { grpc } = target;
  const check: GrpcSpec = { ...base, protocol: 'grpc', tls: over6pn ? false : grpc.tls };
  if (base.path === 'pinned' && base.targetRegion)
    check.headers = { [FLY_HEADERS.forceRegion]: base.targetRegion };
  if (grpc.streams === 0) return { check };
  return {
    check,
    streams: {
      // An open stream reports a sample at the target's cadence, like its periodic checks.
      spec: { ...check, tickIntervalMs: grpc.tickIntervalMs, sampleIntervalMs: target.intervalMs },
      count: grpc.streams,
      maxLifetimeMs: grpc.maxStreamLifetimeMs,
    },
  };
}

/** A mesh peer's echo server answers gRPC on this deployment's echo gRPC port. */
export function planGrpcMesh({ address, echoPorts, base }: MeshPlacement): GrpcSpec {
  return { ...base, protocol: 'grpc', host: address.host, port: echoPorts.grpc };
}
