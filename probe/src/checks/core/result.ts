import { isRoutedPath, type Protocol } from '@flyprobe/shared';
import type { CheckOutput, SpecBase } from './check.ts';
import { classifyError, describeError, type FailedPhase } from './failure.ts';
import type { Timeline } from './timeline.ts';

/** The identifying fields every result of `spec` carries. */
export function resultBase(
  spec: SpecBase,
  protocol: Protocol,
  startedAt: number,
): Pick<CheckOutput, 'target' | 'path' | 'protocol' | 'targetRegion' | 'peer' | 'startedAt'> {
  return {
    target: spec.target,
    path: spec.path,
    protocol,
    ...(!isRoutedPath(spec.path) && spec.targetRegion ? { targetRegion: spec.targetRegion } : {}),
    ...(spec.path === 'mesh' && spec.peer ? { peer: spec.peer } : {}),
    startedAt,
  };
}

/** A failed measurement: outcome from the error, the phase it happened in, only the phases that completed. */
export function failedOutput(
  spec: SpecBase,
  protocol: Protocol,
  timeline: Timeline,
  err: unknown,
  extra: Partial<CheckOutput> = {},
): CheckOutput {
  const phase: FailedPhase =
    typeof err === 'object' && err !== null && 'phase' in err && typeof err.phase === 'string'
      ? (err.phase as FailedPhase)
      : timeline.phase;
  return {
    ...resultBase(spec, protocol, timeline.startedAt),
    phases: { ...timeline.phases },
    outcome: classifyError(err, phase),
    errorMessage: describeError(err),
    failedPhase: phase,
    ...extra,
  };
}
