import { describe, expect, it } from 'vitest';
import { StreamBuilder, T0, testContext } from '../testing/streams.ts';
import { FlappingDetector } from './detector.ts';
import { flapping } from './index.ts';

const STEP = 250;

function run(pattern: (i: number) => string, n: number, start = 0) {
  const s = new StreamBuilder();
  const d = new FlappingDetector(flapping.defaults, testContext());
  const levels: string[] = [];
  for (let i = start; i < start + n; i++) {
    const served = pattern(i);
    d.observe(s.anycast('ams', T0 + i * STEP, served, 'ams'));
    levels.push(d.evaluate(T0 + i * STEP + 1)[0]?.level ?? 'none');
  }
  return { d, levels, s };
}

describe('flapping detector', { timeout: 60_000 }, () => {
  it('never fires on a stable route or a single change and its return', () => {
    const stable = run(() => 'fra', 300);
    expect(stable.levels.every((l) => l === 'none')).toBe(true);
    // A misroute that comes and goes: two changes well apart.
    const once = run((i) => (i >= 50 && i < 70 ? 'lhr' : 'fra'), 200);
    expect(once.levels.includes('fire')).toBe(false);
  });

  it('fires when the route alternates every few intervals, with the sequence as evidence, and clears by decay', () => {
    const s = new StreamBuilder();
    const d = new FlappingDetector(flapping.defaults, testContext());
    let firedAt = -1;
    for (let i = 0; i < 40; i++) {
      const served = i < 10 ? 'fra' : Math.floor((i - 10) / 3) % 2 === 0 ? 'lhr' : 'fra';
      d.observe(s.anycast('ams', T0 + i * STEP, served, 'ams'));
      const f = d.evaluate(T0 + i * STEP + 1)[0];
      if (f?.level === 'fire' && firedAt < 0) {
        firedAt = i;
        expect(f.labels).toEqual({ probe_region: 'ams', target: 'web', path: 'anycast', protocol: 'http' });
        expect(f.evidence.regionSequence?.map((x) => x.served)).toEqual(['fra', 'lhr', 'fra', 'lhr']);
        expect(f.evidence.regionSequence?.[1]?.at).toBe(T0 + 10 * STEP);
      }
    }
    // Third change (A->B->A->B) at interval 16: six intervals after flapping began.
    expect(firedAt).toBe(16);
    // Flapping stops (route stays fra): the penalty decays through the hold band to below the reuse threshold.
    const levels: string[] = [];
    for (let i = 40; i < 400; i++) {
      d.observe(s.anycast('ams', T0 + i * STEP, 'fra', 'ams'));
      levels.push(d.evaluate(T0 + i * STEP + 1)[0]?.level ?? 'none');
    }
    const firstNone = levels.indexOf('none');
    expect(firstNone).toBeGreaterThan(0);
    expect(levels.slice(firstNone).every((l) => l === 'none')).toBe(true);
    expect(levels.slice(0, firstNone)).toContain('hold');
  });

  it('counts edge changes too and ignores late results from before the last one', () => {
    const s = new StreamBuilder();
    const d = new FlappingDetector({ ...flapping.defaults, suppressThreshold: 1500 }, testContext());
    d.observe(s.anycast('ams', T0, 'fra', 'ams'));
    d.observe(s.anycast('ams', T0 + 1000, 'fra', 'lhr'));
    d.observe(s.anycast('ams', T0 + 500, 'fra', 'ams'));
    expect(d.evaluate(T0 + 1001)[0]?.level).toBe('hold');
    d.observe(s.anycast('ams', T0 + 2000, 'fra', 'ams'));
    expect(d.evaluate(T0 + 2001)[0]?.level).toBe('fire');
  });
});
