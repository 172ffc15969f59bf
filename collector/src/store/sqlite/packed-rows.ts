/// <reference lib="es2024.arraybuffer" />
import type { ProbeResult } from '@flyprobe/shared';
import { extraJson } from '../core/result-row.ts';

/**
 * A batch's results as the `results` columns, packed for the writer thread: two typed arrays (moved, not
 * copied), one short table of the distinct strings and one string of every row's `extra` JSON. Posting
 * this costs a few copies per batch; a structured clone of the result objects costs about 2.5 µs per
 * result (serialize here, deserialize there), more than the writer thread's share of the work it moves.
 */
export interface PackedRows {
  count: number;
  /** Per row: seq, startedAt, latencyMs, degraded (0/1); NaN is NULL. */
  numbers: Float64Array<ArrayBuffer>;
  /** Per row: target, path, protocol, targetRegion, outcome, edgeRegion, servedRegion, as positions in `strings`. */
  codes: Uint32Array<ArrayBuffer>;
  /** Distinct strings of the batch; position 0 is NULL. */
  strings: (string | null)[];
  /** Every row's `extra` JSON, joined by newlines (JSON.stringify escapes every newline inside a string). */
  extras: string;
}

const NUMBERS = 4;
const CODES = 7;

export function packRows(results: readonly ProbeResult[]): PackedRows {
  const n = results.length;
  const numbers = new Float64Array(n * NUMBERS);
  const codes = new Uint32Array(n * CODES);
  const strings: (string | null)[] = [null];
  const positions = new Map<string, number>();
  const code = (s: string | undefined): number => {
    if (s === undefined) return 0;
    let at = positions.get(s);
    if (at === undefined) {
      at = strings.length;
      strings.push(s);
      positions.set(s, at);
    }
    return at;
  };
  const extras: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = results[i] as ProbeResult;
    const x = i * NUMBERS;
    numbers[x] = r.seq;
    numbers[x + 1] = r.startedAt;
    numbers[x + 2] = r.latencyMs ?? Number.NaN;
    numbers[x + 3] = r.degraded === undefined ? Number.NaN : r.degraded ? 1 : 0;
    const c = i * CODES;
    codes[c] = code(r.target);
    codes[c + 1] = code(r.path);
    codes[c + 2] = code(r.protocol);
    codes[c + 3] = code(r.targetRegion);
    codes[c + 4] = code(r.outcome);
    codes[c + 5] = code(r.edgeRegion);
    codes[c + 6] = code(r.servedRegion);
    extras[i] = extraJson(r);
  }
  return { count: n, numbers, codes, strings, extras: extras.join('\n') };
}

/** The column values of one packed row, in `results` column order from seq to extra (received_at aside). */
export interface PackedRow {
  seq: number;
  target: string;
  path: string;
  protocol: string;
  targetRegion: string | null;
  startedAt: number;
  outcome: string;
  latencyMs: number | null;
  edgeRegion: string | null;
  servedRegion: string | null;
  degraded: number | null;
  extra: string;
}

/** Calls `row` for each packed row in order, with one reused object (copy what must outlive the call). */
export function forEachRow(packed: PackedRows, row: (values: PackedRow, index: number) => void): void {
  const { numbers, codes, strings } = packed;
  const extras = packed.extras.split('\n');
  const nullable = (x: number) => (Number.isNaN(x) ? null : x);
  const values = {} as PackedRow;
  for (let i = 0; i < packed.count; i++) {
    const x = i * NUMBERS;
    const c = i * CODES;
    values.seq = numbers[x] as number;
    values.startedAt = numbers[x + 1] as number;
    values.latencyMs = nullable(numbers[x + 2] as number);
    values.degraded = nullable(numbers[x + 3] as number);
    values.target = strings[codes[c] as number] as string;
    values.path = strings[codes[c + 1] as number] as string;
    values.protocol = strings[codes[c + 2] as number] as string;
    values.targetRegion = strings[codes[c + 3] as number] ?? null;
    values.outcome = strings[codes[c + 4] as number] as string;
    values.edgeRegion = strings[codes[c + 5] as number] ?? null;
    values.servedRegion = strings[codes[c + 6] as number] ?? null;
    values.extra = extras[i] as string;
    row(values, i);
  }
}

/**
 * Frees a batch's typed arrays once its write is settled, instead of when the writer thread's GC collects them:
 * they wait for the group's fsync, so a scavenge often finds them alive and promotes them to old space, where only
 * a full GC of that isolate frees them.
 */
export function releaseRows(packed: PackedRows): void {
  packed.numbers.buffer.transfer(0);
  packed.codes.buffer.transfer(0);
}
