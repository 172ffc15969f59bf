import { MATRIX_METRICS } from '@flyprobe/shared';
import { describe, expect, it } from 'vitest';
import { referenceMatrix } from '../testing/reference-matrix.ts';
import { MatrixFolds } from './matrix-folds.ts';
import { MatrixScratch } from './matrix-scratch.ts';
import { encodeBlock, type RollupCell } from './rollup-block.ts';
import { matrixFromBlocks, needsSketch } from './rollup-read.ts';
import { emptyRollupState } from './rollup-sample.ts';

const HOUR = 3_600_000;
const CODES = ['ams', 'fra', 'iad', 'nrt', 'syd', 'gru', 'qqq', ''];

function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

/** A block of random cells (random pairs, so reads differ in which cells they touch) over a wide latency range. */
function block(rand: () => number): Uint8Array {
  const cells: RollupCell[] = [];
  for (let c = Math.floor(rand() * 12); c > 0; c--) {
    const state = emptyRollupState();
    for (let i = Math.floor(rand() * 30); i > 0; i--) {
      state.samples++;
      if (rand() < 0.2) {
        state.reset++;
        continue;
      }
      state.ok++;
      const ms = 10 ** (-1 + 5 * rand());
      state.latCount++;
      state.latSum += ms;
      state.sketch.accept(ms);
    }
    const probeRegion = CODES[Math.floor(rand() * 6)]!;
    const column = CODES[Math.floor(rand() * CODES.length)]!;
    cells.push({ probeRegion, column, edge: probeRegion, state });
  }
  return encodeBlock(cells);
}

describe('MatrixScratch', () => {
  it('answers like the straightforward fold over many reads of varying shape through one scratch', () => {
    const rand = random(7);
    const scratch = new MatrixScratch();
    const folds = new MatrixFolds();
    const windows = [0, 1, 2].map(() => Array.from({ length: 6 }, () => block(rand)));
    let cells = 0;
    for (let read = 0; read < 300; read++) {
      const w = Math.floor(rand() * windows.length);
      const blocks = windows[w]!;
      // The last block changes (a bucket under ingest), sometimes an earlier one (a late result).
      if (rand() < 0.5) blocks[blocks.length - 1] = block(rand);
      if (rand() < 0.1) blocks[Math.floor(rand() * blocks.length)] = block(rand);
      const rows = blocks.map((b, i) => [i * HOUR, b] as const);
      const metric = MATRIX_METRICS[Math.floor(rand() * MATRIX_METRICS.length)]!;
      const slot = rand() < 0.8 ? { folds, key: `w${w}:${needsSketch(metric)}`, from: 0 } : undefined;
      const got = matrixFromBlocks(metric, rows, slot, scratch);
      expect(got, `read ${read} (${metric})`).toEqual(referenceMatrix(metric, rows));
      cells += got.length;
    }
    expect(cells).toBeGreaterThan(1000);
  });
});
