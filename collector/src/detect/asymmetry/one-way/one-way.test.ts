import { describe, expect, it } from 'vitest';
import { meshPair } from '../../testing/mesh-pair.ts';
import type { Finding } from '../../types.ts';

describe('one-way asymmetry', { timeout: 60_000 }, () => {
  it('attributes an extra one-way delay to its direction, then clears when it is removed', () => {
    const { tick } = meshPair();
    for (let i = 0; i < 40; i++) tick();
    let fired: Finding | undefined;
    let n = 0;
    while (!fired && n < 10) {
      n++;
      fired = tick({ ab: 30 }).find((f) => f.level === 'fire');
    }
    expect(n).toBeLessThanOrEqual(3);
    expect(fired?.labels).toEqual({ probe_region: 'ams', region: 'iad', kind: 'one_way' });
    for (let i = 0; i < 30; i++) {
      const f = tick({ ab: 30 });
      expect(f.some((x) => x.labels.kind === 'one_way' && x.labels.probe_region === 'ams')).toBe(true);
      expect(f.some((x) => x.labels.probe_region === 'iad')).toBe(false);
    }
    const values = tick({ ab: 30 }).find((f) => f.labels.kind === 'one_way')?.evidence.values;
    expect(values?.one_way_difference_step_ms as number).toBeGreaterThan(25);
    let cleared = 0;
    for (let i = 0; i < 10 && cleared === 0; i++) if (tick().length === 0) cleared = i + 1;
    expect(cleared).toBeGreaterThan(0);
    expect(cleared).toBeLessThanOrEqual(3);
  });

  it('names the reverse direction when the delay is on B->A', () => {
    const { tick } = meshPair();
    for (let i = 0; i < 40; i++) tick();
    let f: Finding | undefined;
    for (let i = 0; i < 5; i++) f = tick({ ba: 30 }).find((x) => x.level === 'fire') ?? f;
    expect(f?.labels).toMatchObject({ probe_region: 'iad', region: 'ams', kind: 'one_way' });
  });
});
