import type { MatrixCell, MatrixResponse } from '@flyprobe/shared';
import { describe, expect, it } from 'vitest';
import { paint, stripAnsi, visibleLength } from './ansi.ts';
import { formatAge, toCsv } from './formats.ts';
import { cellStyle, formatCellValue, renderMatrix } from './matrix-table.ts';
import { sanitize } from './sanitize.ts';
import { renderTable } from './table.ts';
import { rawControlCharacters } from './testing/raw-controls.ts';

describe('renderTable', () => {
  it('pads columns to the widest visible cell, ignoring colour codes', () => {
    const coloured = paint('ok', 'green', true);
    expect(visibleLength(coloured)).toBe(2);
    const out = renderTable(
      ['A', 'LONG'],
      [
        [coloured, 'x'],
        ['wider', 'y'],
      ],
      { color: true, align: ['left', 'right'] },
    );
    expect(stripAnsi(out).split('\n')).toEqual(['A      LONG', 'ok        x', 'wider     y']);
  });

  it('prints no escape codes when colour is off', () => {
    expect(renderTable(['A'], [[paint('x', 'red', false)]], { color: false })).toBe('A\nx');
  });
});

describe('toCsv / formatAge', () => {
  it('quotes fields with commas, quotes and line breaks; null is empty', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          [null, 3],
        ],
      ),
    ).toBe('a,b\n"x,y","say ""hi"""\n,3\n');
  });

  it('rounds ages to the largest unit', () => {
    const now = 10_000_000;
    expect([5_000, 120_000, 7_200_000].map((d) => formatAge(now - d, now))).toEqual(['5s', '2m', '2h']);
  });
});

describe('matrix cells', () => {
  const cell = (value: number | null, inflation: number | null, samples = 3): MatrixCell => ({
    from: 'fra',
    to: 'iad',
    value,
    samples,
    floorMs: 60,
    inflation,
  });

  it('formats latency in ms and ratios as percentages', () => {
    expect(formatCellValue('p50', 9.876)).toBe('9.9');
    expect(formatCellValue('p99', 412.4)).toBe('412');
    expect(formatCellValue('loss', 0.025)).toBe('2.5%');
    expect(formatCellValue('p50', null)).toBe('-');
  });

  it('colours by inflation, by value without a floor, and greys empty cells', () => {
    expect(cellStyle('p50', cell(70, 1.2))).toBe('green');
    expect(cellStyle('p50', cell(200, 3))).toBe('yellow');
    expect(cellStyle('p50', cell(400, 6.5))).toBe('red');
    expect(cellStyle('p50', cell(30, null))).toBe('green');
    expect(cellStyle('loss', cell(0.05, null))).toBe('red');
    expect(cellStyle('p50', cell(null, null, 0))).toBe('gray');
  });

  it('says so when the window has no samples', () => {
    const empty: MatrixResponse = {
      target: 'web',
      path: 'anycast',
      protocol: 'http',
      metric: 'p50',
      from: 0,
      to: 1,
      rows: [],
      columns: [],
      cells: [],
    };
    expect(renderMatrix(empty, { color: false, samples: false })).toBe(
      'no samples for target web (anycast/http) in the window',
    );
  });
});

describe('sanitize', () => {
  it('shows control characters from data as visible escapes, in tables, colours and CSV alike', () => {
    const hostile = 'v1\u001b]0;owned\u0007\u001b[2J\u009b6n';
    expect(sanitize(hostile)).toBe('v1\\x1b]0;owned\\x07\\x1b[2J\\x9b6n');
    const table = renderTable(['VERSION'], [[hostile], [paint(hostile, 'red', true)]], { color: true });
    // Only the colour codes paint() wrote remain; everything from the data is escaped.
    expect(rawControlCharacters(table)).toEqual([]);
    expect(stripAnsi(table)).toContain('v1\\x1b]0;owned\\x07\\x1b[2J\\x9b6n');
    expect(toCsv(['v'], [[hostile]])).toBe('v\nv1\\x1b]0;owned\\x07\\x1b[2J\\x9b6n\n');
  });
});
