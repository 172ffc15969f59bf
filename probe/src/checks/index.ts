import type { Protocol } from '@flyprobe/shared';
import type { CheckModule, SpecBase } from './core/check.ts';
import { grpc } from './grpc/index.ts';
import { http } from './http/index.ts';
import { tcp } from './tcp/index.ts';

/**
 * Every check type, one folder each. Adding one: its folder (spec, plan, run, tests), its target
 * options in @flyprobe/shared (schema/checks/), and an entry here.
 */
export const CHECKS = [http, tcp, grpc] as const;

/** Any measurement the plan holds: the union of every check type's spec, told apart by `protocol`. */
export type CheckSpec = (typeof CHECKS)[number] extends infer M
  ? M extends CheckModule<infer S extends SpecBase>
    ? S
    : never
  : never;

type Listed = (typeof CHECKS)[number]['protocol'];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile unless the list holds exactly the protocols of @flyprobe/shared (PROTOCOLS). */
export type EveryProtocolListed = Assert<Same<Listed, Protocol>>;
type Assert<T extends true> = T;

const BY_PROTOCOL = new Map<Protocol, (typeof CHECKS)[number]>(CHECKS.map((c) => [c.protocol, c]));

/** The check type of `protocol` (every protocol has one: see EveryProtocolListed). */
export function checkType(protocol: Protocol): CheckModule<CheckSpec> {
  return BY_PROTOCOL.get(protocol)!;
}
