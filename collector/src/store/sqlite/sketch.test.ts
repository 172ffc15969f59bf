import { DDSketch } from '@datadog/sketches-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeSketch,
  encodeSketch,
  mergeEncodedSketch,
  newSketch,
  SKETCH_RELATIVE_ACCURACY,
} from './sketch.ts';

describe('sketch encoding', () => {
  it('round-trips to the same quantiles and counts as the library sketch', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0.001, max: 60_000, noNaN: true })), {
          minLength: 1,
          maxLength: 300,
        }),
        (values) => {
          const original = newSketch();
          for (const v of values) original.accept(v);
          const decoded = decodeSketch(encodeSketch(original));
          expect(decoded.count).toBe(original.count);
          for (const q of [0, 0.5, 0.9, 0.99, 1])
            expect(decoded.getValueAtQuantile(q)).toBe(original.getValueAtQuantile(q));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('merging encoded sketches equals the library merge of the originals', () => {
    const a = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
    const b = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
    for (let i = 1; i <= 500; i++) a.accept(i);
    for (let i = 0; i < 500; i++) b.accept(1000 + i * 3);
    b.accept(0);
    const merged = newSketch();
    mergeEncodedSketch(merged, encodeSketch(a));
    mergeEncodedSketch(merged, encodeSketch(b));
    a.merge(b);
    expect(merged.count).toBe(a.count);
    for (const q of [0.01, 0.25, 0.5, 0.75, 0.99])
      expect(merged.getValueAtQuantile(q)).toBe(a.getValueAtQuantile(q));
  });

  it('is much smaller than the protobuf form for a typical minute', () => {
    const s = newSketch();
    for (const v of [21.2, 22.8, 20.9, 35.1]) s.accept(v);
    expect(encodeSketch(s).length).toBeLessThan(20);
    expect(s.toProto().length).toBeGreaterThan(100);
  });

  it('rejects unknown versions and truncated blobs with a clear error', () => {
    expect(() => decodeSketch(Uint8Array.from([9, 0, 0]))).toThrow(/unknown format version 9/);
    expect(() => decodeSketch(Uint8Array.from([1, 0, 2, 4]))).toThrow(/truncated/);
  });
});
