import type { ProbeResult } from '@flyprobe/shared';
import type { CheckOutput } from '../checks/core/check.ts';
import type { ProbeMetrics } from '../health/metrics.ts';
import type { SelfHealth } from '../health/self-health.ts';
import type { LateParts } from './parts.ts';

/**
 * Where every check output goes: marked degraded while the probe struggles, counted in the metrics,
 * stamped by the reporter (or numbered locally without a collector) and handed to listeners.
 */
export class ResultStream {
  private readonly listeners = new Set<(result: ProbeResult) => void>();
  private localSeq = 0;

  constructor(
    private readonly health: SelfHealth,
    private readonly metrics: ProbeMetrics,
    private readonly parts: LateParts,
  ) {}

  readonly emit = (output: CheckOutput): void => {
    if (this.health.isDegraded()) output.degraded = true;
    this.metrics.observeResult(output);
    const reporter = this.parts.reporter;
    const result = reporter ? reporter.add(output) : { seq: this.localSeq++, ...output };
    for (const listener of this.listeners) listener(result);
  };

  /** Results produced by this boot (the next sequence number). */
  get produced(): number {
    return this.parts.reporter?.nextSeq ?? this.localSeq;
  }

  subscribe(listener: (result: ProbeResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
