import type { AlertView } from '@flyprobe/shared';
import type { CauseQuery } from './types.ts';

/** An alert's window, widened by `lookbackMs` before (a crash precedes the restart the probes notice) and open-ended while it is open. */
export function causeQuery(a: AlertView, now: number, lookbackMs: number): CauseQuery {
  const l = a.labels;
  return {
    rule: a.rule,
    ...(l.target ? { target: l.target } : {}),
    ...(l.region ? { region: l.region } : {}),
    ...(l.probe_region ? { probeRegion: l.probe_region } : {}),
    ...(l.machine ? { machine: l.machine } : {}),
    from: Math.min(a.startsAt, a.evidence.window.from) - lookbackMs,
    to: a.resolvedAt ?? Math.max(now, a.evidence.window.to),
  };
}

/** Whether [from, to] (to absent: still going) overlaps the query window. */
export function overlaps(q: Pick<CauseQuery, 'from' | 'to'>, from: number, to: number | undefined): boolean {
  return from <= q.to && (to === undefined || to >= q.from);
}
