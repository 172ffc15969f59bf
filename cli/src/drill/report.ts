import { renderTable } from '../output/table.ts';
import type { DrillReport } from './runner.ts';

const seconds = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);

function errors(e: Record<string, number>): string {
  const parts = Object.entries(e)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} ${k}`);
  return parts.length > 0 ? parts.join(', ') : '0';
}

/** The drill's table: per probe region and path, time away, errors during the switch, time back. */
export function formatDrillReport(r: DrillReport, color: boolean): string {
  const rows = r.rows.map((x) => [
    x.probeRegion,
    x.path,
    x.servedBefore ?? '-',
    x.servedDuring ?? '-',
    seconds(x.awayMs),
    errors(x.errorsAway),
    x.affected ? seconds(x.backMs) : 'n/a',
    x.affected ? errors(x.errorsBack) : '-',
  ]);
  const header = [
    'FROM',
    'PATH',
    'SERVED BEFORE',
    'SERVED DURING',
    'AWAY IN',
    'ERRORS AWAY',
    'BACK IN',
    'ERRORS BACK',
  ];
  const notes = r.timedOut.map((p) => `timed out waiting to converge ${p}`);
  return `${renderTable(header, rows, { color })}\n${notes.map((n) => `${n}\n`).join('')}`;
}
