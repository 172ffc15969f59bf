import type {
  NetworkPath,
  Outcome,
  ProbeIdentity,
  ProbeResult,
  Protocol,
  RegionCode,
} from '@flyprobe/shared';
import type { StoredResult } from '../store.ts';

/** Fields kept as columns (queried or indexed); everything else of a result is kept as JSON in `extra`. */
export const COLUMN_FIELDS: ReadonlySet<string> = new Set<string>([
  'seq',
  'target',
  'path',
  'protocol',
  'targetRegion',
  'startedAt',
  'outcome',
  'latencyMs',
  'edgeRegion',
  'servedRegion',
  'degraded',
]);

/** A results row as both dialects select it (ids and times as numbers, degraded as 0/1). */
export type ResultRow = [
  id: number,
  probeId: string,
  bootId: string,
  seq: number,
  probeRegion: string,
  target: string,
  path: NetworkPath,
  protocol: Protocol,
  targetRegion: string | null,
  startedAt: number,
  receivedAt: number,
  outcome: Outcome,
  latencyMs: number | null,
  edgeRegion: string | null,
  servedRegion: string | null,
  degraded: number | null,
  extra: string,
];

/** The JSON of the fields not kept as columns. */
export function extraJson(r: ProbeResult): string {
  const rest: Record<string, unknown> = {};
  // for-in, not Object.entries: no [key, value] pair allocated per field of every result.
  for (const k in r) {
    if (COLUMN_FIELDS.has(k)) continue;
    const v = r[k as keyof ProbeResult];
    if (v !== undefined) rest[k] = v;
  }
  return JSON.stringify(rest);
}

/** A result as stored: the wire result with its new id and who sent it when. */
export function storedResult(
  r: ProbeResult,
  id: number,
  probe: ProbeIdentity,
  receivedAt: number,
): StoredResult {
  return { ...r, id, probeId: probe.probeId, bootId: probe.bootId, probeRegion: probe.region, receivedAt };
}

/** A stored row (columns in SELECT order, as both dialects read it) back to the wire result plus store fields. */
export function toStored(row: ResultRow): StoredResult {
  const [id, probeId, bootId, seq, probeRegion, target, path, protocol, targetRegion] = row;
  const [startedAt, receivedAt, outcome, latencyMs, edgeRegion, servedRegion, degraded, extra] = row.slice(
    9,
  ) as [number, number, Outcome, number | null, RegionCode | null, RegionCode | null, number | null, string];
  const result = {
    seq,
    target,
    path,
    protocol,
    ...(targetRegion !== null && { targetRegion }),
    startedAt,
    ...(latencyMs !== null && { latencyMs }),
    outcome,
    ...(JSON.parse(extra) as Omit<
      ProbeResult,
      'seq' | 'target' | 'path' | 'protocol' | 'startedAt' | 'outcome'
    >),
    ...(edgeRegion !== null && { edgeRegion }),
    ...(servedRegion !== null && { servedRegion }),
    ...(degraded !== null && { degraded: degraded === 1 }),
  };
  return { ...result, id, probeId, bootId, probeRegion, receivedAt };
}
