import { describe, expect, it } from 'vitest';
import type { CheckOutput } from '../checks/core/check.ts';
import { LastResults } from './target-series.ts';

const output = (target: string): CheckOutput => ({
  target,
  path: 'anycast',
  protocol: 'tcp',
  startedAt: 1_700_000_000_000,
  phases: { connect: 10, echo: 20, total: 31 },
  outcome: 'ok',
  latencyMs: 20,
});

describe('LastResults', () => {
  it('holds at most maxChecks checks, counts the rest, and makes room by forgetting idle ones', () => {
    const last = new LastResults(2, 60_000);
    last.record(output('a'), 0);
    last.record(output('b'), 0);
    last.record(output('c'), 10);
    expect(last.size).toBe(2);
    expect(last.dropped).toBe(1);
    last.record(output('a'), 30_000); // a known check still updates at the limit
    expect(last.dropped).toBe(1);
    last.record(output('c'), 70_000); // b idle for 70 s: forgotten, c fits
    expect([...last.entries(70_000)].map((r) => r.labels.target).sort()).toEqual(['a', 'c']);
    expect([...last.entries(200_000)]).toEqual([]);
  });
});
