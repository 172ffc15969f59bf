import { DDSketch } from '@datadog/sketches-js';
import { OUTCOMES } from '@flyprobe/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from './bytes.ts';
import { CellAccumulator } from './rollup-accumulator.ts';
import {
  addBlockCells,
  decodeBlock,
  decodeBlockLazy,
  decodeCellBody,
  emptyTotals,
  encodeBlock,
  encodeLazyBlock,
  type RollupCell,
} from './rollup-block.ts';
import { emptyRollupState, SKETCH_MAX_MS, SKETCH_MIN_MS } from './rollup-sample.ts';
import { acceptBin, newSketch, SKETCH_RELATIVE_ACCURACY } from './sketch.ts';

function cell(
  probeRegion: string,
  column: string,
  values: number[],
  extra: Partial<RollupCell['state']> = {},
): RollupCell {
  const state = { ...emptyRollupState(), ...extra };
  for (const v of values) {
    state.samples++;
    state.ok++;
    state.latCount++;
    state.latSum += v;
    state.sketch.accept(v);
  }
  return { probeRegion, column, edge: probeRegion, state };
}

const totals = emptyTotals;

describe('rollup blocks', { timeout: 60_000 }, () => {
  it('round-trip counters and sketches exactly (same quantiles as the library sketch)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0.001, max: 60_000, noNaN: true })), {
          minLength: 1,
          maxLength: 300,
        }),
        fc.nat({ max: 1000 }),
        (values, resets) => {
          const original = cell('fra', 'ams', values, {
            reset: resets,
            samples: resets,
            degraded: 3,
            failedOther: 2,
          });
          const [decoded] = decodeBlock(encodeBlock([original]));
          expect({ ...decoded!.state, sketch: undefined }).toEqual({ ...original.state, sketch: undefined });
          expect(decoded!.state.sketch.count).toBe(original.state.sketch.count);
          for (const q of [0, 0.5, 0.9, 0.99, 1])
            expect(decoded!.state.sketch.getValueAtQuantile(q)).toBe(
              original.state.sketch.getValueAtQuantile(q),
            );
        },
      ),
      { numRuns: 100 },
    );
  });

  it("the writer's accumulator writes exactly what a library sketch fed the same samples writes", () => {
    const sample = fc.record({
      outcome: fc.constantFrom(...OUTCOMES),
      latencyMs: fc.option(
        fc.oneof(fc.double({ min: 0, max: 1e7, noNaN: true }), fc.constantFrom(0, 1e-9, 0.001, 3_600_001)),
        { nil: undefined },
      ),
      degraded: fc.option(fc.boolean(), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 400 }), (samples) => {
        const acc = new CellAccumulator();
        const state = emptyRollupState();
        for (const { outcome, latencyMs, degraded } of samples) {
          acc.add(outcome, latencyMs, degraded);
          // The library reference: the counters the block format defines, the sketch fed the clamped latency.
          state.samples++;
          if (degraded) state.degraded++;
          if (outcome === 'ok') {
            state.ok++;
            if (latencyMs !== undefined && !degraded) {
              state.latCount++;
              state.latSum += latencyMs;
              state.sketch.accept(Math.min(Math.max(latencyMs, SKETCH_MIN_MS), SKETCH_MAX_MS));
            }
          } else if (outcome === 'reset') state.reset++;
          else if (outcome === 'refused') state.refused++;
          else if (outcome === 'timeout') state.timeout++;
          else state.failedOther++;
        }
        const name = { probeRegion: 'fra', column: 'ams', edge: 'fra' };
        const expected = encodeBlock([{ ...name, state }]);
        const written = Buffer.from(
          encodeLazyBlock(new ByteWriter(), [{ ...name, acc, body: undefined }], 1),
        );
        expect(written).toEqual(expected);
        // Decoded and written again (a cached block loaded for a late result), the bytes do not change.
        const [lazy] = decodeBlockLazy(written);
        const again = { ...name, acc: decodeCellBody(lazy!.body!), body: undefined };
        expect(Buffer.from(encodeLazyBlock(new ByteWriter(), [again], 1))).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('merges bins across blocks like the library merge, and skips cells nobody picked', () => {
    const a = Array.from({ length: 500 }, (_, i) => i + 1);
    const b = Array.from({ length: 500 }, (_, i) => 1000 + i * 3);
    const blocks = [
      encodeBlock([cell('fra', 'ams', a), cell('sin', 'ams', [9999])]),
      encodeBlock([cell('fra', 'ams', b)]),
    ];
    const fra = totals(true);
    const skipped: string[] = [];
    for (const block of blocks)
      addBlockCells(block, (from) => {
        if (from === 'fra') return fra;
        skipped.push(from);
        return undefined;
      });
    expect(skipped).toEqual(['sin']);
    expect([fra.samples, fra.latCount, fra.latSum]).toEqual([
      1000,
      1000,
      [...a, ...b].reduce((x, y) => x + y, 0),
    ]);
    const merged = newSketch();
    for (const [key, count] of fra.bins!) acceptBin(merged, key, count);
    const reference = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
    const other = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
    for (const v of a) reference.accept(v);
    for (const v of b) other.accept(v);
    reference.merge(other);
    for (const q of [0.01, 0.25, 0.5, 0.75, 0.99])
      expect(merged.getValueAtQuantile(q)).toBe(reference.getValueAtQuantile(q));
    // Without bins the sketch is skipped, the counters are still read.
    const countersOnly = totals(false);
    addBlockCells(blocks[0]!, () => countersOnly);
    expect(countersOnly.samples).toBe(501);
  });

  it('keeps a minute cell small (the library protobuf form is ~1 KB)', () => {
    const c = cell('fra', 'ams', [21.2, 22.8, 20.9, 35.1]);
    expect(encodeBlock([c]).length).toBeLessThan(50);
    expect(c.state.sketch.toProto().length).toBeGreaterThan(500);
  });

  it('rejects unknown versions and truncated blocks with a clear error', () => {
    const good = encodeBlock([cell('fra', 'ams', [1, 2, 3])]);
    expect(() => decodeBlock(Uint8Array.from([9, 0]))).toThrow(/unknown version 9/);
    expect(() => decodeBlock(good.subarray(0, good.length - 3))).toThrow(/truncated/);
  });
});
