import type { ProbeResult } from '@flyprobe/shared';
import {
  ADMIN_SECRET,
  batch,
  call,
  heartbeat,
  probeIdentity,
  probeToken,
  result,
} from '../../../collector/src/testing/index.ts';

/** A known data set for the dashboard: what was ingested, so a test can say what each cell must show. */
export interface Dataset {
  target: string;
  probeRegions: string[];
  targetRegions: string[];
  /** Pinned latency in ms per `${probeRegion} ${targetRegion}`; pairs absent here have no samples. */
  pinned: Map<string, number>;
  samplesPerCell: number;
}

const INTERVAL_MS = 15_000;

export interface SeedOptions {
  probeRegions: string[];
  targetRegions: string[];
  samplesPerCell: number;
  /** Latency per pinned pair, or undefined to leave the pair without samples. */
  latency: (from: string, to: string) => number | undefined;
  /** Served region of anycast sample `i` (of `samplesPerCell`) from a probe region. */
  served: (from: string, i: number) => string;
  degraded?: string[];
  now?: number;
}

export const probeIdOf = (region: string) => `${region}-dash01`;

/** PUTs the target, then ingests every probe's results through POST /v1/ingest with its own bound token. */
export async function seed(url: string, o: SeedOptions): Promise<Dataset & { tokens: Map<string, string> }> {
  const target = 'web';
  const put = await call(`${url}/v1/targets`, {
    method: 'PUT',
    token: ADMIN_SECRET,
    body: [{ name: target, host: 'web.example.test', regions: o.targetRegions }],
  });
  if (put.status !== 200) throw new Error(`PUT /v1/targets: ${put.status} ${put.text}`);
  const now = o.now ?? Date.now();
  const start = now - o.samplesPerCell * INTERVAL_MS;
  const pinned = new Map<string, number>();
  const tokens = new Map<string, string>();
  for (const from of o.probeRegions) {
    const probeId = probeIdOf(from);
    const secret = await probeToken(url, probeId, from);
    tokens.set(from, secret);
    const results: ProbeResult[] = [];
    let seq = 0;
    for (let i = 0; i < o.samplesPerCell; i++) {
      const startedAt = start + i * INTERVAL_MS;
      const served = o.served(from, i);
      const anycast = o.latency(from, served) ?? 50;
      results.push(
        result(++seq, {
          target,
          path: 'anycast',
          startedAt,
          latencyMs: anycast,
          phases: { connect: 1, ttfb: anycast, total: anycast + 1 },
          edgeRegion: from,
          servedRegion: served,
        }),
      );
      for (const to of o.targetRegions) {
        const ms = o.latency(from, to);
        if (ms === undefined) continue;
        pinned.set(`${from} ${to}`, ms);
        results.push(
          result(++seq, {
            target,
            path: 'pinned',
            targetRegion: to,
            startedAt: startedAt + 100,
            latencyMs: ms,
            phases: { connect: 1, ttfb: ms, total: ms + 1 },
            edgeRegion: from,
            servedRegion: to,
          }),
        );
      }
    }
    const degraded = o.degraded?.includes(from) ?? false;
    const hb = heartbeat(degraded ? { degraded, degradedReason: 'event loop p99 above 100 ms' } : {});
    await ingest(url, secret, probeId, from, results, hb);
  }
  return {
    target,
    probeRegions: o.probeRegions,
    targetRegions: o.targetRegions,
    pinned,
    samplesPerCell: o.samplesPerCell,
    tokens,
  };
}

/** One batch through POST /v1/ingest; throws unless every result was accepted. */
export async function ingest(
  url: string,
  secret: string,
  probeId: string,
  region: string,
  results: ProbeResult[],
  hb = heartbeat(),
): Promise<void> {
  const body = batch(probeIdentity(probeId, region), results, { heartbeat: hb });
  const r = await call(`${url}/v1/ingest`, { token: secret, body });
  const answer = r.body as { accepted?: number; rejected?: unknown[] };
  if (r.status !== 200 || answer.accepted !== results.length)
    throw new Error(`ingest for ${probeId}: ${r.status} ${r.text.slice(0, 500)}`);
}

/** `count` pinned resets from `from` to `to`, after sequence number `afterSeq`: enough to trip the resets rule. */
export function resets(target: string, to: string, afterSeq: number, count: number): ProbeResult[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) =>
    result(afterSeq + i + 1, {
      target,
      path: 'pinned',
      targetRegion: to,
      startedAt: now - (count - i) * 500,
      latencyMs: undefined,
      outcome: 'reset',
      httpStatus: undefined,
      phases: { connect: 1 },
      edgeRegion: undefined,
      servedRegion: undefined,
    }),
  );
}
