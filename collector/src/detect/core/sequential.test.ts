import { describe, expect, it } from 'vitest';
import { resets } from '../resets/index.ts';
import { prng } from '../testing/streams.ts';
import { FaultEnd, SequentialRate } from './sequential.ts';

const options = resets.defaults;

/** Trials until the alarm opens at `rate` (after a clean warm-up), or Infinity within `max`. */
function trialsToAlarm(rate: number, seed: number, max = 2000): number {
  const s = new SequentialRate(options);
  const rnd = prng(seed);
  for (let i = 0; i < 200; i++) s.observe(false);
  for (let i = 1; i <= max; i++) if (s.observe(rnd() < rate)) return i;
  return Number.POSITIVE_INFINITY;
}

describe('sequential rate test', () => {
  it('opens an alarm after three failures in a row, faster the higher the rate', () => {
    expect(trialsToAlarm(1, 1)).toBe(3);
    const at10 = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((seed) => trialsToAlarm(0.1, seed)).sort((a, b) => a - b);
    const at30 = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((seed) => trialsToAlarm(0.3, seed)).sort((a, b) => a - b);
    expect(at10[4]).toBeLessThan(80);
    expect(at30[4]).toBeLessThan(at10[4] as number);
  });

  it('raises no alarm at the prior rate over 20,000 trials', () => {
    expect(trialsToAlarm(0.003, 11, 20_000)).toBe(Number.POSITIVE_INFINITY);
  });

  it('ends the alarm on the first success after a total failure, after ~20 after a 10% one', () => {
    const s = new SequentialRate(options);
    for (let i = 0; i < 200; i++) s.observe(false);
    for (let i = 0; i < 5; i++) s.observe(true);
    expect(s.alarmed).toBe(true);
    s.observe(false);
    expect(s.alarmed).toBe(false);

    const low = new SequentialRate(options);
    for (let i = 0; i < 200; i++) low.observe(false);
    for (let i = 0; i < 100 && !low.alarmed; i++) low.observe(i % 10 === 0 || i % 10 === 1);
    expect(low.alarmed).toBe(true);
    let successes = 0;
    while (low.alarmed && successes < 100) {
      low.observe(false);
      successes++;
    }
    expect(successes).toBeGreaterThan(5);
    expect(successes).toBeLessThan(40);
  });

  it('learns its baseline only outside an alarm', () => {
    const s = new SequentialRate(options);
    const before = s.baseline();
    for (let i = 0; i < 50; i++) s.observe(true);
    expect(s.baseline()).toBeLessThan(before * 2);
  });
});

describe('fault end', () => {
  const run = (pattern: boolean[], clean: number) => {
    const end = new FaultEnd(6.9);
    const samples: { at: number; bad: boolean }[] = [];
    let at = 0;
    for (const bad of pattern) {
      samples.push({ at: at++, bad });
      end.ended(samples.slice(-20), true);
    }
    for (let i = 1; i <= clean; i++) {
      samples.push({ at: at++, bad: false });
      if (end.ended(samples.slice(-20), false)) return i;
    }
    return Number.POSITIVE_INFINITY;
  };

  it('ends a steady fault after a few clean samples and an intermittent one only after many', () => {
    expect(run(Array(10).fill(true), 50)).toBe(3);
    const third = Array.from({ length: 90 }, (_, i) => i % 3 === 0);
    expect(run(third, 50)).toBeGreaterThanOrEqual(15);
    expect(run(third, 50)).toBeLessThan(25);
  });
});
