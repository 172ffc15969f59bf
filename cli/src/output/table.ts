import { paint, STYLE_SEQUENCES, visibleLength } from './ansi.ts';
import { sanitize } from './sanitize.ts';

export type Align = 'left' | 'right';

export interface TableOptions {
  /** Alignment per column; defaults to left. */
  align?: Align[];
  color: boolean;
}

/** Renders rows under a bold header with columns padded to their widest (visible) cell. */
export function renderTable(header: string[], rawRows: string[][], options: TableOptions): string {
  // Cells are often raw collector data: only the colour codes paint() wrote survive.
  const rows = rawRows.map((r) => r.map((cell) => sanitize(cell, STYLE_SEQUENCES).replaceAll('\n', ' ')));
  const widths = header.map((h, i) =>
    Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(cell)));
        return options.align?.[i] === 'right' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  const head = line(header.map((h) => paint(h, 'bold', options.color)));
  return [head, ...rows.map((r) => line(r))].join('\n');
}
