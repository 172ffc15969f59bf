import type { AlertCauseView } from '@flyprobe/shared';

/** The alert table's CAUSES cell: each cause as `kind@region` (and `[probe]` for the probe's own pressure), oldest first. */
export function causesCell(causes: readonly AlertCauseView[] | undefined): string {
  if (!causes || causes.length === 0) return '';
  return causes
    .map((c) => `${c.kind}${c.region ? `@${c.region}` : ''}${c.side === 'probe' ? ' [probe]' : ''}`)
    .join(', ');
}
