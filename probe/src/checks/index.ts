export type { Check, CheckOutput, CheckSpec, LimitedPhase, StreamCheck } from './core/check.ts';
export {
  createResolver,
  discoverRegions,
  parseResolverAddress,
  privateHostName,
  resolveHost,
  resolvePrivateAddress,
} from './core/dns.ts';
export { CheckFailure, classifyError, describeError, type FailedPhase } from './core/failure.ts';
export { grpcOutcome } from './grpc/status.ts';
export { grpcStreamCheck } from './grpc/stream.ts';
export { grpcUnaryCheck } from './grpc/unary.ts';
export { closeHttpConnections, DEFAULT_MAX_BODY_BYTES, httpCheck } from './http/run.ts';
export { tcpCheck } from './tcp/run.ts';
