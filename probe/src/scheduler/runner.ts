import type { Protocol } from '@flyprobe/shared';
import type { CheckOutput } from '../checks/core/check.ts';
import type { CheckSpec } from '../checks/index.ts';

/**
 * What the scheduler runs for one protocol: `run` for periodic checks, `hold` for streams. A check
 * type (checks/index.ts CHECKS) is one; tests pass their own. A missing one skips its checks.
 */
export interface CheckRunner {
  readonly protocol: Protocol;
  run?(spec: CheckSpec, signal?: AbortSignal): Promise<CheckOutput>;
  hold?(spec: CheckSpec, emit: (output: CheckOutput) => void, signal: AbortSignal): Promise<void>;
}
