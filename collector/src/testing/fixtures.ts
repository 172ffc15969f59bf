import type { Heartbeat, IngestEnvelope, ProbeIdentity, ProbeResult } from '@flyprobe/shared';

/** The app `probeIdentity` and `probeToken` use unless told otherwise. */
export const TEST_APP = 'probes-test';

export function probeIdentity(
  probeId: string,
  region: string,
  extra: Partial<ProbeIdentity> = {},
): ProbeIdentity {
  return {
    probeId,
    region,
    machineId: `m-${probeId}`,
    app: TEST_APP,
    bootId: 'boot-1',
    version: '0.1.0',
    ...extra,
  };
}

/** A valid result; `startedAt` defaults to a minute ago so it lands in a closed rollup minute. */
export function result(seq: number, extra: Partial<ProbeResult> = {}): ProbeResult {
  return {
    seq,
    target: 'web',
    path: 'anycast',
    protocol: 'http',
    startedAt: Date.now() - 60_000,
    latencyMs: 20,
    phases: { connect: 5, ttfb: 20, total: 21 },
    outcome: 'ok',
    httpStatus: 200,
    edgeRegion: 'fra',
    servedRegion: 'fra',
    ...extra,
  };
}

export function heartbeat(extra: Partial<Heartbeat> = {}): Heartbeat {
  return {
    at: Date.now(),
    uptimeS: 12,
    rssBytes: 50_000_000,
    heapUsedBytes: 20_000_000,
    eventLoopDelayMs: { p50: 1, p99: 5, max: 10 },
    bufferDepth: 0,
    bufferBytes: 0,
    dropped: {},
    missedRuns: 0,
    degraded: false,
    ...extra,
  };
}

export function batch(
  probe: ProbeIdentity,
  results: unknown[],
  extra: Partial<IngestEnvelope> = {},
): IngestEnvelope {
  return { schemaVersion: 1, probe, results, ...extra };
}
