import type { ProbeResult, RoutedPath } from '@flyprobe/shared';
import type { StoredResult } from '../../store/store.ts';
import type { DetectionContext } from '../types.ts';

// Detector tests take the seeded PRNG from here, beside the stream builders it drives.
export { prng } from '@flyprobe/shared/testing';

export const T0 = Date.parse('2026-11-26T00:00:00Z');

/** Builds stored results for detector tests: ids and sequence numbers count up. */
export class StreamBuilder {
  private id = 0;

  result(
    fields: Partial<ProbeResult> &
      Pick<ProbeResult, 'path' | 'startedAt'> & { probeRegion: string; probeId?: string },
  ): StoredResult {
    this.id++;
    const { probeRegion, probeId, ...rest } = fields;
    return {
      seq: this.id,
      target: 'web',
      protocol: 'http',
      phases: {},
      outcome: 'ok',
      ...rest,
      id: this.id,
      probeId: probeId ?? `${probeRegion}-1`,
      bootId: 'boot',
      probeRegion,
      receivedAt: fields.startedAt + 50,
    };
  }

  /** A pinned, private or mesh result: the region is asked for, not picked by the proxy. */
  direct(
    path: 'pinned' | 'private' | 'mesh',
    probeRegion: string,
    targetRegion: string,
    at: number,
    fields: Partial<ProbeResult> = {},
  ): StoredResult {
    return this.result({ probeRegion, path, targetRegion, startedAt: at, ...fields });
  }

  anycast(probeRegion: string, at: number, served: string, edge: string, latencyMs = 20): StoredResult {
    return this.routed('anycast', probeRegion, at, served, edge, latencyMs);
  }

  /** A Flycast result: its edge is the proxy of the probe's own region unless said otherwise. */
  flycast(probeRegion: string, at: number, served: string, edge = probeRegion, latencyMs = 20): StoredResult {
    return this.routed('flycast', probeRegion, at, served, edge, latencyMs);
  }

  private routed(
    path: RoutedPath,
    probeRegion: string,
    at: number,
    served: string,
    edge: string,
    latencyMs: number,
  ): StoredResult {
    return this.result({
      probeRegion,
      path,
      startedAt: at,
      latencyMs,
      servedRegion: served,
      edgeRegion: edge,
    });
  }
}

/** A detection context for detector tests: no configured regions, degraded results untrusted, 15 s intervals. */
export function testContext(over: Partial<DetectionContext> = {}): DetectionContext {
  return {
    configuredRegions: () => [],
    trustworthy: (r) => !r.degraded,
    intervalMs: () => 15_000,
    ...over,
  };
}
