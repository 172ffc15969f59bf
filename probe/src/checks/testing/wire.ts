import { probeResult } from '@flyprobe/shared';
import { expect } from 'vitest';
import type { CheckOutput } from '../core/check.ts';

/** Every output, classified failures included, must be a valid wire result as the reporter sends it. */
export function expectValidOnWire(out: CheckOutput | undefined): void {
  expect(probeResult.safeParse({ ...out, seq: 1 }).error).toBeUndefined();
}
