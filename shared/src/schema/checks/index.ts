import { z } from 'zod';
import { grpcTargetOptions } from './grpc.ts';
import { httpTargetOptions } from './http.ts';
import { port } from './port.ts';
import { tcpTargetOptions } from './tcp.ts';

/**
 * Every check type's target options, by protocol: the one list the protocol enum, the target schema's
 * per-protocol sections and `privatePorts` derive from. Each entry's check lives in
 * probe/src/checks/<protocol>/ (the collector validates targets but cannot import the probe).
 */
export const CHECK_TARGET_OPTIONS = {
  http: httpTargetOptions,
  tcp: tcpTargetOptions,
  grpc: grpcTargetOptions,
};

export type Protocol = keyof typeof CHECK_TARGET_OPTIONS;
export const PROTOCOLS = Object.keys(CHECK_TARGET_OPTIONS) as [Protocol, ...Protocol[]];
export const protocol = z.enum(PROTOCOLS);

/** `targets[].privatePorts`: per protocol, the port over 6PN when it differs from the public one. */
export const targetPrivatePorts = z
  .strictObject(
    Object.fromEntries(PROTOCOLS.map((p) => [p, port.optional()])) as Record<
      Protocol,
      z.ZodOptional<typeof port>
    >,
  )
  .prefault({});
