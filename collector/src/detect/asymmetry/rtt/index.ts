import type { StoredResult } from '../../../store/store.ts';
import { RecordRing } from '../../core/record-ring.ts';
import { median, round1 } from '../../core/window.ts';
import type { DetectionContext, Detector, Finding } from '../../types.ts';
import { type Direction, Directions, MESH_SAMPLE, type MeshSample } from '../direction.ts';
import type { AsymmetryConfig } from '../index.ts';

type Rtt = Direction<{ samples: RecordRing<MeshSample> }>;

/** (a) Mesh RTT medians A->B (measured by A) against B->A (measured by B): one side's requests take another path. */
export class RttAsymmetry implements Detector<'asymmetry'> {
  readonly rule = 'asymmetry' as const;
  private readonly directions: Directions<{ samples: RecordRing<MeshSample> }>;

  constructor(
    private readonly config: AsymmetryConfig,
    ctx: DetectionContext,
  ) {
    this.directions = new Directions(ctx, config, ['mesh'], () => ({
      samples: new RecordRing(config.window, MESH_SAMPLE),
    }));
  }

  observe(r: StoredResult): void {
    const seen = this.directions.observe(r);
    seen?.direction.samples.push(seen.sample);
  }

  evaluate(now: number): Finding<'asymmetry'>[] {
    const findings: Finding<'asymmetry'>[] = [];
    for (const d of this.directions.live(now)) {
      const reverse = this.directions.reverse(d);
      if (!reverse || d.from >= d.to) continue;
      const f = this.judge(d, reverse);
      if (f) findings.push(f);
    }
    return findings;
  }

  private judge(a: Rtt, b: Rtt): Finding<'asymmetry'> | undefined {
    const as = a.samples.toArray();
    const bs = b.samples.toArray();
    if (as.length < this.config.minSamples || bs.length < this.config.minSamples) return undefined;
    const ma = median(as.map((s) => s.rttMs)) as number;
    const mb = median(bs.map((s) => s.rttMs)) as number;
    const threshold = Math.max(this.config.minDiffMs, this.config.diffRatio * Math.min(ma, mb));
    const diff = Math.abs(ma - mb);
    const level = diff > threshold ? 'fire' : diff > this.config.clearRatio * threshold ? 'hold' : null;
    if (!level) return undefined;
    const [slow, fast, slowMs, fastMs] = ma > mb ? [a, b, ma, mb] : [b, a, mb, ma];
    const slowSamples = slow === a ? as : bs;
    const fastSamples = slow === a ? bs : as;
    return {
      rule: this.rule,
      labels: { probe_region: slow.from, region: slow.to, path: 'mesh', protocol: a.protocol, kind: 'rtt' },
      level,
      severity: this.config.severity,
      summary:
        `mesh ${a.protocol}: median RTT ${slow.from}->${slow.to} measured by ${slow.from} is ${round1(slowMs)} ms ` +
        `but ${fast.from}->${fast.to} measured by ${fast.from} is ${round1(fastMs)} ms (difference ${round1(diff)} ms, ` +
        `threshold ${round1(threshold)} ms): requests from ${slow.from} take a different, slower path than those from ${fast.from}`,
      evidence: {
        values: {
          median_rtt_slow_ms: round1(slowMs),
          median_rtt_fast_ms: round1(fastMs),
          difference_ms: round1(diff),
          threshold_ms: round1(threshold),
          samples_slow: slowSamples.length,
          samples_fast: fastSamples.length,
        },
        window: {
          from: Math.min(slowSamples[0]?.at ?? 0, fastSamples[0]?.at ?? 0),
          to: Math.max(slowSamples.at(-1)?.at ?? 0, fastSamples.at(-1)?.at ?? 0),
          samples: slowSamples.length + fastSamples.length,
        },
        sampleIds: [...slowSamples.slice(-5), ...fastSamples.slice(-5)].map((s) => s.id),
      },
    };
  }
}
