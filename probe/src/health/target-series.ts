import type { CheckOutput } from '../checks/core/check.ts';

/** Phases exported per check, in the order of a measurement. */
export const TARGET_PHASES = ['dns', 'connect', 'tls', 'ttfb', 'transfer', 'echo'] as const;

export type TargetLabel = 'target' | 'path' | 'protocol' | 'target_region';

export interface LastResult {
  labels: Partial<Record<TargetLabel, string>>;
  success: boolean;
  /** Seconds: total time of the measurement. */
  durationS: number | undefined;
  /** Seconds: the application round trip of an ok result. */
  latencyS: number | undefined;
  phasesS: Partial<Record<(typeof TARGET_PHASES)[number], number>>;
  httpStatus: number | undefined;
  at: number;
}

/**
 * The last result per check (target, path, protocol, target region), blackbox_exporter style. Keys come
 * from the probe's config, so they are bounded by it; `maxChecks` guards against a config that is not.
 */
export class LastResults {
  /** The output itself, converted at scrape time: results arrive far more often than scrapes. */
  private readonly last = new Map<string, { output: CheckOutput; at: number }>();
  dropped = 0;

  constructor(
    private readonly maxChecks: number,
    private readonly idleMs: number,
  ) {}

  record(o: CheckOutput, now: number): void {
    const key = `${o.target}\u0000${o.path}\u0000${o.protocol}\u0000${o.targetRegion ?? ''}`;
    const known = this.last.get(key);
    if (known) {
      known.output = o;
      known.at = now;
      return;
    }
    if (this.last.size >= this.maxChecks) this.forgetIdle(now);
    if (this.last.size >= this.maxChecks) {
      this.dropped++;
      return;
    }
    this.last.set(key, { output: o, at: now });
  }

  /** Current entries, after forgetting checks that stopped reporting (removed from the config). */
  *entries(now: number): Iterable<LastResult> {
    this.forgetIdle(now);
    for (const { output, at } of this.last.values()) yield lastResult(output, at);
  }

  get size(): number {
    return this.last.size;
  }

  private forgetIdle(now: number): void {
    for (const [k, v] of this.last) if (now - v.at > this.idleMs) this.last.delete(k);
  }
}

function lastResult(o: CheckOutput, at: number): LastResult {
  const labels: LastResult['labels'] = { target: o.target, path: o.path, protocol: o.protocol };
  if (o.targetRegion) labels.target_region = o.targetRegion;
  const phasesS: LastResult['phasesS'] = {};
  for (const p of TARGET_PHASES) {
    const ms = o.phases[p];
    if (ms !== undefined) phasesS[p] = ms / 1000;
  }
  return {
    labels,
    success: o.outcome === 'ok',
    durationS: o.phases.total === undefined ? undefined : o.phases.total / 1000,
    latencyS: o.outcome === 'ok' && o.latencyMs !== undefined ? o.latencyMs / 1000 : undefined,
    phasesS,
    httpStatus: o.httpStatus,
    at,
  };
}
