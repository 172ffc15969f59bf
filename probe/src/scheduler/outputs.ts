import type { Outcome } from '@flyprobe/shared';
import type { CheckOutput, SpecBase } from '../checks/core/check.ts';

/** A result the scheduler itself produces when a check failed to produce one (hung or threw). */
export function runtimeOutput(
  spec: SpecBase,
  startedAt: number,
  outcome: Outcome,
  message: string,
  totalMs?: number,
): CheckOutput {
  return {
    target: spec.target,
    path: spec.path,
    protocol: spec.protocol,
    targetRegion: spec.targetRegion,
    peer: spec.peer,
    startedAt,
    phases: totalMs === undefined ? {} : { total: Math.round(totalMs * 1000) / 1000 },
    outcome,
    errorMessage: message.slice(0, 512),
  };
}
