import type { AlertView, Heartbeat, ProbeIdentity } from '@flyprobe/shared';
import type { StoredResult } from '../store/store.ts';
import { causeQuery } from './query.ts';
import type { CauseItem, CauseSource } from './types.ts';

const MAX_CAUSES = 10;

/** The registered cause sources, asked for context when an alert is read or notified. */
export class CauseRegistry {
  constructor(
    readonly sources: readonly CauseSource[],
    private readonly opts: {
      now: () => number;
      lookbackMs: number;
      /** A source's lookup threw: counted and logged by the caller; the alert is served without it. */
      onError?: (source: string, error: unknown) => void;
    },
  ) {}

  /** Causes for one alert, oldest first; a failing source is skipped (it counts its own failures). */
  causesFor(a: AlertView): CauseItem[] {
    const q = causeQuery(a, this.opts.now(), this.opts.lookbackMs);
    const items: CauseItem[] = [];
    for (const s of this.sources) {
      if (!(s.rules as readonly string[]).includes(a.rule)) continue;
      try {
        items.push(...s.contextFor(q));
      } catch (error) {
        // A lookup bug in one source must not hide the alert itself.
        this.opts.onError?.(s.name, error);
      }
    }
    return items.sort((x, y) => x.at - y.at).slice(-MAX_CAUSES);
  }

  /** The alert as the API shows it: with a `causes` list when any source knows something. */
  annotate = (a: AlertView): AlertView => {
    const causes = this.causesFor(a);
    return causes.length > 0 ? { ...a, causes } : a;
  };

  /** The alert as notifications carry it: causes attached and named in the summary, which every receiver shows. */
  annotateForNotification = (a: AlertView): AlertView => {
    const annotated = this.annotate(a);
    if (!annotated.causes) return annotated;
    return { ...annotated, summary: `${a.summary} ${causesText(annotated.causes)}` };
  };

  observe(
    results: StoredResult[],
    batch: { probe: ProbeIdentity; receivedAt: number; heartbeat?: Heartbeat },
  ) {
    for (const s of this.sources) s.observe?.(results, batch);
  }
}

/** `Likely causes: a; b.` */
export function causesText(causes: readonly CauseItem[]): string {
  return `Likely cause${causes.length > 1 ? 's' : ''}: ${causes.map((c) => c.summary).join('; ')}.`;
}
