import type { CollectorClient } from '../collector-api/client.ts';
import type { RouteSample } from './types.ts';

/** The fields of a stored result the drill reads. */
interface ResultRow {
  id: number;
  startedAt: number;
  probeRegion: string;
  path: string;
  protocol: string;
  outcome: string;
  servedRegion?: string;
  stream?: { event: string; endReason?: string };
}

const PAGE = 1000;
/** Results arrive in batches after they were measured: re-read this far behind the newest seen. */
const LAG_MS = 30_000;
const MAX_PAGES = 20;

/**
 * Accumulates a target's results on `paths` from the collector's `GET /v1/results`, from `since` on, each
 * result once (by id). Every call reads what arrived since the last one.
 */
export function collectorSamples(
  client: CollectorClient,
  opts: { target: string; paths: readonly string[]; since: number },
): () => Promise<RouteSample[]> {
  const seen = new Set<number>();
  const samples: RouteSample[] = [];
  let cursor = opts.since;
  return async () => {
    let newest = cursor;
    for (const path of opts.paths) {
      let until: number | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const body = await client.get<{ results: ResultRow[] }>('/v1/results', {
          target: opts.target,
          path,
          since: String(cursor),
          ...(until !== undefined ? { until: String(until) } : {}),
          limit: String(PAGE),
        });
        for (const r of body.results) {
          newest = Math.max(newest, r.startedAt);
          if (seen.has(r.id)) continue;
          seen.add(r.id);
          samples.push({
            at: r.startedAt,
            probeRegion: r.probeRegion,
            path: r.path,
            protocol: r.protocol,
            outcome: r.outcome,
            ...(r.servedRegion ? { servedRegion: r.servedRegion } : {}),
            ...(r.stream?.event === 'end' && r.stream.endReason
              ? { streamEndReason: r.stream.endReason }
              : {}),
          });
        }
        if (body.results.length < PAGE) break;
        // Newest first: the next page ends where this one's oldest began.
        until = Math.min(...body.results.map((r) => r.startedAt));
      }
    }
    cursor = Math.max(opts.since, newest - LAG_MS);
    return samples;
  };
}
