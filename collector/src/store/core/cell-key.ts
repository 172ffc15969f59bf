import { columnRegion } from '@flyprobe/shared';
import type { RollupInput } from './rollup-sample.ts';

/** A cell's place in its block: an integer for region codes (see `cellKey`), else a string. */
export type CellKey = number | string;

/** 0 for '' (absent), 1..17576 for a three-letter lowercase region code, -1 for anything else. */
function regionNumber(code: string): number {
  if (code.length === 0) return 0;
  if (code.length !== 3) return -1;
  const a = code.charCodeAt(0) - 97;
  const b = code.charCodeAt(1) - 97;
  const c = code.charCodeAt(2) - 97;
  if (a < 0 || a > 25 || b < 0 || b > 25 || c < 0 || c > 25) return -1;
  return 1 + (a * 26 + b) * 26 + c;
}

const REGION_NUMBERS = 1 + 26 * 26 * 26;

/**
 * Region codes pack into one integer below 2^53 (no string built and hashed per result); anything else
 * (only possible for rows written outside the wire schema) falls back to a string key.
 */
export function cellKey(probeRegion: string, column: string, edge: string): CellKey {
  const p = regionNumber(probeRegion);
  const c = regionNumber(column);
  const e = regionNumber(edge);
  if (p < 0 || c < 0 || e < 0) return `${probeRegion}\n${column}\n${edge}`;
  return (p * REGION_NUMBERS + c) * REGION_NUMBERS + e;
}

/** The matrix column of a result as a rollup key part ('' for a result that reached no region). */
export function rollupColumn(input: RollupInput): string {
  return columnRegion(input) ?? '';
}
