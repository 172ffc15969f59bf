import type { Outcome } from '@flyprobe/shared';
import { classifyError } from '../core/failure.ts';

/**
 * The gRPC status codes the checks test for (grpc/doc/statuscodes.md). Not imported from grpc-js: the
 * checks speak gRPC over node:http2, and importing grpc-js for four numbers loaded all of it (~600 KB of
 * source and its module set-up) into every probe.
 */
export const GRPC_STATUS = { OK: 0, DEADLINE_EXCEEDED: 4, INTERNAL: 13, UNAVAILABLE: 14 } as const;

export interface GrpcErrorLike {
  code?: number;
  details?: string;
  message?: string;
}

export function isGrpcError(err: unknown): err is GrpcErrorLike & { code: number } {
  return typeof err === 'object' && err !== null && typeof (err as GrpcErrorLike).code === 'number';
}

/** System error codes grpc-js leaves in status details ("No connection established. Last error: connect ECONNREFUSED ..."). */
const SYSTEM_CODE = /\b(E[A-Z]{4,}|EAI_[A-Z]+)\b/;

/**
 * A gRPC status as an outcome: transport failures hidden in UNAVAILABLE / INTERNAL details are
 * recognised (refused, reset, unreachable, dns); any other non-OK status is `grpc_status`.
 */
export function grpcOutcome(err: GrpcErrorLike & { code: number }): Outcome {
  const details = err.details ?? err.message ?? '';
  if (err.code === GRPC_STATUS.DEADLINE_EXCEEDED) return 'timeout';
  if (err.code === GRPC_STATUS.UNAVAILABLE || err.code === GRPC_STATUS.INTERNAL) {
    const sys = SYSTEM_CODE.exec(details)?.[1];
    if (sys) {
      const outcome = classifyError({ code: sys });
      if (outcome !== 'error') return outcome;
    }
    if (/RST_STREAM|Connection dropped|Stream refused|GOAWAY/i.test(details)) return 'reset';
    if (/Name resolution failed|DNS resolution failed/i.test(details)) return 'dns';
    if (/certificate|SSL|TLS|handshake/i.test(details)) return 'tls';
  }
  return 'grpc_status';
}
