import type { FieldError, ProbeIdentity } from '@flyprobe/shared';
import type { Caller } from './env.ts';

/**
 * Why this caller may not speak for `probe`, naming the identity field, or null. A bound probe token
 * speaks only for its own probe id, app and region; an unbound one only in local/lab mode, so one leaked
 * token cannot fabricate another probe's or region's measurements.
 */
export function bindingProblem(
  caller: Caller,
  probe: ProbeIdentity,
  allowUnbound: boolean,
): FieldError | null {
  const b = caller.binding;
  if (b === null) {
    const unbound = unboundProblem(caller, allowUnbound);
    return unbound === null ? null : { field: 'probe.probeId', message: unbound };
  }
  if (probe.probeId !== b.probeId)
    return {
      field: 'probe.probeId',
      message: `this token belongs to probe "${b.probeId}", not "${probe.probeId}"`,
    };
  if (probe.app !== b.app)
    return { field: 'probe.app', message: `this token is bound to app "${b.app}", not "${probe.app ?? ''}"` };
  if (probe.region !== b.region)
    return {
      field: 'probe.region',
      message: `this token is bound to region "${b.region}", not "${probe.region}"`,
    };
  return null;
}

/** Why an unbound probe token may not be used (outside local/lab mode), or null. */
export function unboundProblem(caller: Caller, allowUnbound: boolean): string | null {
  if (caller.role !== 'probe' || caller.binding !== null || allowUnbound) return null;
  return 'this probe token is not bound to a probe; create one with probeId, app and region (flyprobe tokens create --role probe --probe-id ID --app APP --region R)';
}
