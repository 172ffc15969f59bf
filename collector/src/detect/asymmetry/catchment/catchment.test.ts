import { describe, expect, it } from 'vitest';
import { StreamBuilder, T0, testContext } from '../../testing/streams.ts';
import type { Finding } from '../../types.ts';
import { asymmetry } from '../index.ts';
import { CatchmentAsymmetry } from './index.ts';

/** `ams` probes enter Fly at `amsEdge`, `iad` probes at `iadEdge`, once a second for `n` seconds. */
function run(amsEdge: string, iadEdge: string, n = 10, path: 'anycast' | 'flycast' = 'anycast'): Finding[] {
  const s = new StreamBuilder();
  const d = new CatchmentAsymmetry(asymmetry.defaults, testContext());
  let out: Finding[] = [];
  for (let i = 0; i < n; i++) {
    const t = T0 + i * 1000;
    const at = (probe: string, edge: string) =>
      path === 'anycast' ? s.anycast(probe, t, 'fra', edge) : s.flycast(probe, t, 'fra', edge);
    d.observe(at('ams', amsEdge));
    d.observe(at('iad', iadEdge));
    out = d.evaluate(t + 1);
  }
  return out;
}

describe('catchment asymmetry', () => {
  it('fires when one region lands at a far edge whose own traffic stays local', () => {
    const [f, ...rest] = run('iad', 'iad');
    expect(rest).toEqual([]);
    expect(f?.level).toBe('fire');
    expect(f?.labels).toEqual({
      probe_region: 'ams',
      region: 'iad',
      target: 'web',
      path: 'anycast',
      kind: 'catchment',
    });
    expect(f?.evidence.values.share).toBe(1);
    expect(f?.evidence.values.distance_km as number).toBeGreaterThan(5000);
  });

  it('is quiet when each region enters at its own edge, when the far edge sends its traffic elsewhere, and on flycast', () => {
    expect(run('ams', 'iad')).toEqual([]);
    expect(run('iad', 'ams')).toEqual([]);
    expect(run('iad', 'iad', 10, 'flycast')).toEqual([]);
  });

  it('waits for three samples per side before judging', () => {
    expect(run('iad', 'iad', 2)).toEqual([]);
    expect(run('iad', 'iad', 3)).toHaveLength(1);
  });
});
