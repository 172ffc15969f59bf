export type { Check, CheckOutput, CheckSpec, LimitedPhase, StreamCheck } from './check.ts';
export {
  createResolver,
  discoverRegions,
  parseResolverAddress,
  privateHostName,
  resolveHost,
  resolvePrivateAddress,
} from './dns.ts';
export { CheckFailure, classifyError, describeError, type FailedPhase } from './failure.ts';
export { grpcOutcome } from './grpc-status.ts';
export { grpcStreamCheck } from './grpc-stream.ts';
export { grpcUnaryCheck } from './grpc-unary.ts';
export { closeHttpConnections, DEFAULT_MAX_BODY_BYTES, httpCheck } from './http.ts';
export { tcpCheck } from './tcp.ts';
