import { describe, expect, it } from 'vitest';
import { referenceMatrix } from '../testing/reference-matrix.ts';
import { MatrixFolds } from './matrix-folds.ts';
import { encodeBlock, type RollupCell } from './rollup-block.ts';
import { matrixFromBlocks } from './rollup-read.ts';
import { emptyRollupState } from './rollup-sample.ts';

const HOUR = 3_600_000;

function block(seed: number, cells = 4): Uint8Array {
  const out: RollupCell[] = [];
  for (let c = 0; c < cells; c++) {
    const state = emptyRollupState();
    for (let i = 0; i < 20; i++) {
      const ms = 1 + ((seed * 31 + c * 7 + i * 13) % 97) * 1.7;
      state.samples++;
      state.ok++;
      state.latCount++;
      state.latSum += ms;
      state.sketch.accept(ms);
    }
    out.push({ probeRegion: 'ams', column: ['fra', 'lhr', 'iad', 'nrt'][c % 4]!, edge: 'ams', state });
  }
  return encodeBlock(out);
}

const rows = (seeds: number[]) => seeds.map((s, i) => [i * HOUR, block(s)] as const);

describe('MatrixFolds', () => {
  it('keeps all blocks but the last and reuses them only while they read byte-equal', () => {
    const folds = new MatrixFolds();
    const first = rows([1, 2, 3, 4]);
    expect(matrixFromBlocks('p99', first, { folds, key: 'k', from: 0 })).toEqual(
      referenceMatrix('p99', first),
    );
    expect(folds.match('k', 0, first)?.blocks).toHaveLength(3);
    // The last block changed: the fold still matches, and the answer follows the new block.
    const grown = rows([1, 2, 3, 9]);
    expect(folds.match('k', 0, grown)?.blocks).toHaveLength(3);
    expect(matrixFromBlocks('p99', grown, { folds, key: 'k', from: 0 })).toEqual(
      referenceMatrix('p99', grown),
    );
    // An earlier block changed, or the window moved: not reused.
    expect(folds.match('k', 0, rows([1, 7, 3, 9]))).toBeUndefined();
    expect(folds.match('k', HOUR, grown)).toBeUndefined();
    expect(folds.match('other', 0, grown)).toBeUndefined();
    const changed = rows([1, 7, 3, 9]);
    expect(matrixFromBlocks('mean', changed, { folds, key: 'k', from: 0 })).toEqual(
      referenceMatrix('mean', changed),
    );
  });

  it('drops the least recently used folds past its byte budget', () => {
    const one = rows([1, 2, 3]);
    const probe = new MatrixFolds();
    matrixFromBlocks('p50', one, { folds: probe, key: 'a', from: 0 });
    const folds = new MatrixFolds(Math.floor(probe.size * 2.5));
    for (const key of ['a', 'b', 'c']) matrixFromBlocks('p50', one, { folds, key, from: 0 });
    expect(folds.size).toBeLessThanOrEqual(folds.maxBytes);
    expect(folds.match('a', 0, one)).toBeUndefined();
    expect(folds.match('b', 0, one)).toBeDefined();
    expect(folds.match('c', 0, one)).toBeDefined();
    // Too big for the budget at all: not kept.
    const tiny = new MatrixFolds(10);
    matrixFromBlocks('p50', one, { folds: tiny, key: 'a', from: 0 });
    expect(tiny.size).toBe(0);
  });
});
