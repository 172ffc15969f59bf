import type { NetworkPath, Protocol, RegionCode, TargetConfig } from '@flyprobe/shared';
import type { StoredResult } from '../../store/store.ts';
import { prng } from './streams.ts';

const REGIONS: readonly RegionCode[] = ['iad', 'ord', 'lax', 'fra', 'ams', 'lhr', 'sin', 'nrt', 'syd', 'gru'];
const PATHS: readonly NetworkPath[] = ['anycast', 'pinned', 'private', 'flycast', 'mesh'];
const PROTOCOLS: readonly Protocol[] = ['http', 'tcp', 'grpc'];
const FAULTS = ['reset', 'refused', 'timeout', 'stall', 'misroute', 'stream'] as const;
const INTERVAL_MS = 5000;
const T0 = 1_800_000_000_000;

type Fault = (typeof FAULTS)[number];

interface Episode {
  kind: Fault;
  /** Confined to a probe region and/or a column region when set. */
  row?: RegionCode;
  col?: RegionCode;
  /** Share of the matching measurements it hits, from round `from` to before round `to`. */
  rate: number;
  from: number;
  to: number;
}

/** What a seed's run holds: the targets to configure, then the results in chunks and when to evaluate. */
export interface FaultRun {
  targets: TargetConfig[];
  /** Results as a collector ingests them, each chunk with the evaluation time after it (undefined: none). */
  chunks: { results: StoredResult[]; evaluateAt: number | undefined }[];
}

/**
 * A seeded stream of every path, protocol and region pair with random fault episodes (resets, refusals, timeouts,
 * retransmission stalls, misroutes, gRPC stream terminations; confined to a row, a column, both or neither; at 5%
 * to 100%), missing samples, degraded results, echoes with machine restarts, and evaluations at random points: for
 * tests that compare every detector's verdicts between two implementations.
 */
export function faultRun(seed: number): FaultRun {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const regions = REGIONS.slice(0, 3 + Math.floor(rnd() * 6));
  const configured = regions.filter(() => rnd() < 0.8);
  const targets = [
    { name: 'web', regions: configured, intervalMs: INTERVAL_MS },
    { name: 'api', regions: regions.slice(0, 3), intervalMs: INTERVAL_MS },
  ] as TargetConfig[];
  const rounds = 60 + Math.floor(rnd() * 100);
  const episodes: Episode[] = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => {
    const from = Math.floor(rnd() * rounds);
    return {
      kind: pick(FAULTS),
      ...(rnd() < 0.5 ? { row: pick(regions) } : {}),
      ...(rnd() < 0.6 ? { col: pick(regions) } : {}),
      rate: pick([0.05, 0.2, 0.5, 1]),
      from,
      to: from + 5 + Math.floor(rnd() * 40),
    };
  });
  const evaluateEvery = 1 + Math.floor(rnd() * 20);
  const chunks: FaultRun['chunks'] = [];
  const seqs = new Map<string, number>();
  let id = 0;
  for (let round = 0; round < rounds; round++) {
    const at0 = T0 + round * INTERVAL_MS;
    const batch: StoredResult[] = [];
    for (const probeRegion of regions)
      for (const target of ['web', 'api'])
        for (const path of PATHS) {
          if (target === 'api' && rnd() < 0.5) continue;
          for (const protocol of PROTOCOLS) {
            const routed = path === 'anycast' || path === 'flycast';
            for (const targetRegion of routed ? [undefined] : regions) {
              if (rnd() < 0.1) continue;
              const at = at0 + Math.floor(rnd() * INTERVAL_MS);
              // Routed paths are served in the probe's own region when the target runs there, else in its first
              // region: only misroute episodes move them.
              let served =
                targetRegion ??
                (configured.includes(probeRegion) ? probeRegion : (configured[0] ?? probeRegion));
              const column = targetRegion ?? served;
              const hits = new Set(
                episodes
                  .filter(
                    (e) =>
                      round >= e.from &&
                      round < e.to &&
                      (!e.row || e.row === probeRegion) &&
                      (!e.col || e.col === column) &&
                      rnd() < e.rate,
                  )
                  .map((e) => e.kind),
              );
              if (hits.has('misroute') && routed) served = pick(['syd', 'gru', 'nrt']);
              const outcome = hits.has('reset')
                ? 'reset'
                : hits.has('refused')
                  ? 'refused'
                  : hits.has('timeout')
                    ? 'timeout'
                    : 'ok';
              const ok = outcome === 'ok';
              const latency =
                20 +
                rnd() * 10 +
                (targetRegion === probeRegion ? 0 : 40) +
                (hits.has('stall') ? 300 + rnd() * 1000 : 0);
              const handshakeStall = hits.has('stall') && rnd() < 0.3 ? 1000 : 0;
              const seq = (seqs.get(probeRegion) ?? 0) + 1;
              seqs.set(probeRegion, seq);
              const stream =
                protocol === 'grpc' && rnd() < 0.3
                  ? hits.has('stream')
                    ? {
                        event: 'end' as const,
                        endReason: pick(['rst_stream', 'goaway', 'status', 'deadline'] as const),
                      }
                    : {
                        event: rnd() < 0.5 ? ('sample' as const) : ('end' as const),
                        endReason: 'ok' as const,
                      }
                  : undefined;
              const restarted = round > rounds / 2 && rnd() < 0.02;
              batch.push({
                seq,
                target,
                path,
                protocol,
                ...(targetRegion ? { targetRegion } : {}),
                startedAt: at,
                ...(ok ? { latencyMs: latency } : {}),
                phases: ok
                  ? { connect: latency / 3 + handshakeStall, ttfb: latency, total: latency }
                  : { connect: 3 },
                outcome,
                ...(path === 'mesh'
                  ? {}
                  : {
                      edgeRegion: routed && hits.has('misroute') && rnd() < 0.5 ? 'syd' : probeRegion,
                      servedRegion: served,
                    }),
                ...(stream ? { stream } : {}),
                ...(ok && rnd() < 0.5
                  ? {
                      echo: {
                        receivedAt: at + latency / 2,
                        machineId: `m-${column}`,
                        region: column,
                        startedAt: T0 + (restarted ? 1_000_000 : 0),
                        imageRef: 'img',
                      },
                    }
                  : {}),
                degraded: rnd() < 0.01,
                id: ++id,
                probeId: `${probeRegion}-${rnd() < 0.8 ? 1 : 2}`,
                bootId: 'boot',
                probeRegion,
                receivedAt: at + 100,
              } as StoredResult);
            }
          }
        }
    batch.sort((a, b) => a.startedAt - b.startedAt);
    for (let i = 0; i < batch.length; i += 97) {
      const results = batch.slice(i, i + 97);
      const evaluate = (chunks.length + 1) % evaluateEvery === 0;
      const last = results.at(-1)?.startedAt ?? at0;
      chunks.push({ results, evaluateAt: evaluate ? last + Math.floor(rnd() * 3000) : undefined });
    }
  }
  return { targets, chunks };
}
