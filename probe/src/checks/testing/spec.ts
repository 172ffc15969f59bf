import type { Check, SpecBase, StreamCheck } from '../core/check.ts';

/** A measurement by `check` of 127.0.0.1:`port` on the anycast path (5 s limit); `fields` add or override. */
export function specFor<S extends SpecBase>(
  check: Check<S> | StreamCheck<S>,
  port: number,
  fields: Partial<S> = {},
): S {
  const base: SpecBase = {
    protocol: check.protocol,
    target: 'test',
    path: 'anycast',
    host: '127.0.0.1',
    port,
    timeoutMs: 5000,
  };
  // Every field a variant adds is optional, so the base and its own fields make a whole spec.
  return { ...base, ...fields } as S;
}
