import { CHECK_TARGET_OPTIONS } from '@flyprobe/shared';
import type { CheckModule } from '../core/check.ts';
import { planGrpc, planGrpcMesh } from './plan.ts';
import type { GrpcSpec } from './spec.ts';
import { grpcStreamCheck } from './stream.ts';
import { grpcUnaryCheck } from './unary.ts';

/** gRPC over node:http2: a unary Ping per run (latencyMs = its round trip) and held Ticks streams. */
export const grpc: CheckModule<GrpcSpec> = {
  protocol: 'grpc',
  configSchema: CHECK_TARGET_OPTIONS.grpc,
  plan: planGrpc,
  planMesh: planGrpcMesh,
  run: grpcUnaryCheck.run,
  hold: grpcStreamCheck.hold,
};
