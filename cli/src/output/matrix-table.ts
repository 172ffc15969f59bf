import type { MatrixCell, MatrixResponse } from '@flyprobe/shared';
import { paint, type Style } from './ansi.ts';
import { sanitize } from './sanitize.ts';
import { renderTable } from './table.ts';

const RATIO_METRICS = new Set(['loss', 'reset_rate']);

export function isRatioMetric(metric: string): boolean {
  return RATIO_METRICS.has(metric);
}

export function formatCellValue(metric: string, value: number | null): string {
  if (value === null) return '-';
  if (isRatioMetric(metric)) return `${(value * 100).toFixed(value < 0.1 ? 1 : 0)}%`;
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

/**
 * Latency cells are coloured by inflation over the fibre floor (how much slower than light in fibre),
 * or by absolute value when no floor is known; loss and reset rates by their share.
 */
export function cellStyle(metric: string, cell: MatrixCell): Style {
  if (cell.value === null || cell.samples === 0) return 'gray';
  if (isRatioMetric(metric)) return cell.value === 0 ? 'green' : cell.value < 0.01 ? 'yellow' : 'red';
  if (cell.inflation !== null) return cell.inflation < 2 ? 'green' : cell.inflation < 4 ? 'yellow' : 'red';
  return cell.value < 50 ? 'green' : cell.value < 150 ? 'yellow' : 'red';
}

/** Region x region table: rows are probe regions, columns target (served/forced/peer) regions. */
export function renderMatrix(m: MatrixResponse, opts: { color: boolean; samples: boolean }): string {
  if (m.cells.length === 0) {
    return `no samples for target ${m.target} (${m.path}/${m.protocol}) in the window`;
  }
  const byPair = new Map<string, MatrixCell>();
  for (const c of m.cells) byPair.set(`${c.from}>${c.to}`, c);
  const rows = m.rows.map((from) => [
    paint(from, 'bold', opts.color),
    ...m.columns.map((to) => {
      const cell = byPair.get(`${from}>${to}`);
      if (!cell) return paint('·', 'gray', opts.color);
      const text = formatCellValue(m.metric, cell.value) + (opts.samples ? ` (${cell.samples})` : '');
      return paint(text, cellStyle(m.metric, cell), opts.color);
    }),
  ]);
  const unit = isRatioMetric(m.metric) ? 'share' : 'ms';
  const title = `${m.metric} ${unit}, target ${m.target}, path ${m.path}, protocol ${m.protocol}, ${new Date(m.from).toISOString()} .. ${new Date(m.to).toISOString()}`;
  const legend = isRatioMetric(m.metric)
    ? `${paint('0%', 'green', opts.color)}  ${paint('<1%', 'yellow', opts.color)}  ${paint('>=1%', 'red', opts.color)}`
    : `inflation over fibre floor: ${paint('<2x', 'green', opts.color)}  ${paint('2-4x', 'yellow', opts.color)}  ${paint('>4x', 'red', opts.color)}`;
  const table = renderTable(['FROM \\ TO', ...m.columns], rows, {
    color: opts.color,
    align: ['left', ...m.columns.map(() => 'right' as const)],
  });
  return `${sanitize(title)}\n${table}\n${legend}${opts.samples ? '  (n) = samples' : ''}`;
}
