import { CHECK_TARGET_OPTIONS, PROTOCOLS } from '@flyprobe/shared';
import { describe, expect, it } from 'vitest';
import { CHECKS, checkType } from './index.ts';

describe('check types', () => {
  it('lists one check type per protocol of the wire schema, in its order', () => {
    expect(CHECKS.map((c) => c.protocol)).toEqual(PROTOCOLS);
  });

  it("validates each type's options with the target section the collector validates", () => {
    for (const check of CHECKS) {
      expect(check.configSchema).toBe(CHECK_TARGET_OPTIONS[check.protocol]);
      expect(checkType(check.protocol)).toBe(check);
    }
  });
});
