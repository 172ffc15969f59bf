import { describe, expect, it } from 'vitest';
import { meshPair, OFFSET } from '../testing/mesh-pair.ts';

describe('asymmetry detector', { timeout: 60_000 }, () => {
  it('raises nothing on clean jittery mesh data (300 intervals)', () => {
    const { tick } = meshPair();
    for (let i = 0; i < 300; i++) expect(tick()).toEqual([]);
  });

  it('ignores a clock step that moves one-way figures but not the RTT', () => {
    const { tick } = meshPair();
    for (let i = 0; i < 40; i++) tick();
    for (let i = 0; i < 60; i++) expect(tick({ offset: OFFSET + 25 })).toEqual([]);
  });
});
