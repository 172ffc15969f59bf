import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median, quantile, sortedCopy, sortedMedian, sortedQuantile } from './window.ts';

/** The straightforward computations: a sorted copy by comparator. */
function sortedReference(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}
function quantileReference(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = sortedReference(values);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
function medianReference(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = sortedReference(values);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

// -0 is mapped to 0: a Float64Array sorts -0 before 0 where the comparator keeps input order, which changes
// only the sign of a zero result (no measurement is -0).
const values = fc.array(
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }).map((v) => (v === 0 ? 0 : v)),
  { maxLength: 200 },
);

describe('quantile and median', () => {
  it('equal the sorted-copy computation on random arrays and typed arrays, leaving the input as it was', () => {
    fc.assert(
      fc.property(values, fc.double({ min: 0, max: 1, noNaN: true }), (xs, q) => {
        const before = [...xs];
        expect(quantile(xs, q)).toBe(quantileReference(xs, q));
        expect(median(xs)).toBe(medianReference(xs));
        expect(median(Float64Array.from(xs))).toBe(medianReference(xs));
        expect(quantile(Float64Array.from(xs), q)).toBe(quantileReference(xs, q));
        // One shared sort read for several statistics (as latency's window close does).
        const sorted = sortedCopy(xs);
        expect(sortedQuantile(sorted, q)).toBe(quantileReference(xs, q));
        expect(sortedMedian(sorted)).toBe(medianReference(xs));
        expect(sortedQuantile(sorted, 1 - q)).toBe(quantileReference(xs, 1 - q));
        expect(xs).toEqual(before);
      }),
      { seed: 5, numRuns: 500 },
    );
  });

  it('grow their shared buffer for long windows', () => {
    const long = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    expect(median(long)).toBe(499.5);
    expect(quantile(long, 0.95)).toBe(949);
  });
});
