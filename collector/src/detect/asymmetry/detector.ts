import { type RegionCode, regionDistanceKm } from '@flyprobe/shared';
import type { StoredResult } from '../../store/store.ts';
import { staleFor } from '../core/config.ts';
import { liveEntries, median, mode, Ring, round1 } from '../core/window.ts';
import type { DetectionContext, Detector, Finding } from '../types.ts';
import type { AsymmetryConfig } from './index.ts';

interface MeshSample {
  id: number;
  at: number;
  rttMs: number;
  /**
   * echo.receivedAt - the moment the request was sent (start + DNS, connect and TLS phases): one-way delay
   * plus the unknown clock offset, usable only for change. Measuring from the start instead would add the
   * handshake's round trip, i.e. the reverse direction once and the forward one twice.
   */
  owdMs?: number;
}

interface EdgeSample {
  edge: RegionCode;
  id: number;
  at: number;
}

/** Mesh measurements taken by `from` towards `to`. */
interface Direction {
  path: 'mesh' | 'private';
  from: RegionCode;
  to: RegionCode;
  protocol: string;
  all: Ring<MeshSample>;
  recent: Ring<MeshSample>;
  baseline: Ring<MeshSample>;
  /** While a step is being reported, the baseline keeps the level from before it. */
  frozen: boolean;
  lastAt: number;
}

interface Step {
  observer: Direction;
  rttStepMs: number;
  owdStepMs: number;
  thresholdMs: number;
  /** The direction whose path got slower. */
  slowFrom: RegionCode;
  slowTo: RegionCode;
  level: 'fire' | 'hold';
}

/**
 * Asymmetric routing: (a) mesh RTT medians A->B (measured by A) vs B->A (measured by B); (b) a step in RTT
 * whose one-way part (echo receive time - send time, clock-offset contaminated, so only its change is used)
 * moves by the same amount, which names the slower direction; (c) catchment asymmetry: P lands at X's edge
 * while X stays local.
 */
export class AsymmetryDetector implements Detector<'asymmetry'> {
  readonly rule = 'asymmetry' as const;
  private readonly directions = new Map<string, Direction>();
  private readonly edges = new Map<
    string,
    { probeRegion: RegionCode; target: string; ring: Ring<EdgeSample>; lastAt: number }
  >();

  private readonly stale: (key: { target?: string }) => number;

  constructor(
    private readonly config: AsymmetryConfig,
    private readonly ctx: DetectionContext,
  ) {
    this.stale = staleFor(config, ctx);
  }

  observe(r: StoredResult): void {
    // BGP catchment exists only on anycast: a Flycast request enters the proxy of the caller's own region.
    if (r.path === 'anycast') {
      this.observeEdge(r);
      return;
    }
    // Mesh (probe echo) and private (target echo over 6PN) both give a direct path with echo timestamps.
    if ((r.path !== 'mesh' && r.path !== 'private') || !r.targetRegion || r.targetRegion === r.probeRegion)
      return;
    if (r.outcome !== 'ok' || r.latencyMs === undefined || !this.ctx.trustworthy(r)) return;
    const k = `${r.path}|${r.probeRegion}|${r.targetRegion}|${r.protocol}`;
    let d = this.directions.get(k);
    if (!d) {
      d = {
        path: r.path,
        from: r.probeRegion,
        to: r.targetRegion,
        protocol: r.protocol,
        all: new Ring(this.config.window),
        recent: new Ring(this.config.recentSamples),
        baseline: new Ring(this.config.baselineSamples),
        frozen: false,
        lastAt: 0,
      };
      this.directions.set(k, d);
    }
    const sample: MeshSample = { id: r.id, at: r.startedAt, rttMs: r.latencyMs };
    if (r.echo) {
      const { dns = 0, connect = 0, tls = 0 } = r.phases;
      sample.owdMs = r.echo.receivedAt - r.startedAt - dns - connect - tls;
    }
    d.all.push(sample);
    const evicted = d.recent.push(sample);
    if (evicted && !d.frozen) d.baseline.push(evicted);
    d.lastAt = Math.max(d.lastAt, r.startedAt);
  }

  evaluate(now: number): Finding<'asymmetry'>[] {
    const findings: Finding<'asymmetry'>[] = [];
    for (const [k, d] of this.directions) {
      if (now - d.lastAt > this.stale({ target: d.path === 'mesh' ? 'mesh' : undefined }))
        this.directions.delete(k);
    }
    const steps: Step[] = [];
    for (const d of this.directions.values()) {
      const reverse = this.directions.get(`${d.path}|${d.to}|${d.from}|${d.protocol}`);
      if (d.path === 'mesh' && reverse && d.from < d.to) {
        const f = this.rttAsymmetry(d, reverse);
        if (f) findings.push(f);
      }
      const step = this.step(d);
      d.frozen = step !== undefined;
      if (step) steps.push(step);
    }
    findings.push(...this.oneWay(steps));
    findings.push(...this.catchment(now));
    return findings;
  }

  private rttAsymmetry(a: Direction, b: Direction): Finding<'asymmetry'> | undefined {
    const as = a.all.toArray();
    const bs = b.all.toArray();
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

  /** A sustained RTT step seen by `d`, attributed to a direction by how much of it its one-way part carries. */
  private step(d: Direction): Step | undefined {
    const recent = d.recent.toArray();
    const base = d.baseline.toArray();
    if (recent.length < this.config.recentSamples || base.length < this.config.minBaselineSamples)
      return undefined;
    const recentOwd = recent.flatMap((s) => (s.owdMs === undefined ? [] : [s.owdMs]));
    const baseOwd = base.flatMap((s) => (s.owdMs === undefined ? [] : [s.owdMs]));
    if (recentOwd.length < recent.length || baseOwd.length < this.config.minBaselineSamples) return undefined;
    const baseRtt = median(base.map((s) => s.rttMs)) as number;
    const rttStep = (median(recent.map((s) => s.rttMs)) as number) - baseRtt;
    const owdStep = (median(recentOwd) as number) - (median(baseOwd) as number);
    const baseRtts = base.map((s) => s.rttMs);
    const mad = median(baseRtts.map((v) => Math.abs(v - baseRtt))) as number;
    const threshold = Math.max(
      this.config.minStepMs,
      this.config.stepRatio * baseRtt,
      this.config.noiseMads * mad,
    );
    // Firing needs every recent sample above the step (a path change shifts them all; a busy process spikes some).
    const lowestStep = Math.min(...recent.map((s) => s.rttMs)) - baseRtt;
    const level =
      rttStep >= threshold && lowestStep >= threshold
        ? 'fire'
        : rttStep >= this.config.clearRatio * threshold
          ? 'hold'
          : null;
    if (!level) return undefined;
    const share = owdStep / rttStep;
    if (share >= this.config.attributionShare) {
      return {
        observer: d,
        rttStepMs: rttStep,
        owdStepMs: owdStep,
        thresholdMs: threshold,
        slowFrom: d.from,
        slowTo: d.to,
        level,
      };
    }
    if (share <= 1 - this.config.attributionShare) {
      return {
        observer: d,
        rttStepMs: rttStep,
        owdStepMs: owdStep,
        thresholdMs: threshold,
        slowFrom: d.to,
        slowTo: d.from,
        level,
      };
    }
    return undefined;
  }

  private oneWay(steps: Step[]): Finding<'asymmetry'>[] {
    const byDirection = new Map<string, Step[]>();
    for (const s of steps) {
      const k = `${s.slowFrom}|${s.slowTo}`;
      byDirection.set(k, [...(byDirection.get(k) ?? []), s]);
    }
    const findings: Finding<'asymmetry'>[] = [];
    for (const group of byDirection.values()) {
      const first = group[0] as Step;
      const level = this.oneWayLevel(group, first);
      const rttStep = Math.max(...group.map((s) => s.rttStepMs));
      const values: Finding['evidence']['values'] = {
        rtt_step_ms: round1(rttStep),
        threshold_ms: round1(first.thresholdMs),
      };
      for (const s of group) {
        const o = `${s.observer.from}_${s.observer.path}_${s.observer.protocol}`;
        values[`owd_step_seen_by_${o}_ms`] = round1(s.owdStepMs);
        values[`rtt_step_seen_by_${o}_ms`] = round1(s.rttStepMs);
      }
      const fwd = median(group.filter((s) => s.observer.from === first.slowFrom).map((s) => s.owdStepMs));
      const rev = median(group.filter((s) => s.observer.from === first.slowTo).map((s) => s.owdStepMs));
      if (fwd !== undefined && rev !== undefined) values.one_way_difference_step_ms = round1(fwd - rev);
      values.observers = group.length;
      const samples = group.flatMap((s) => s.observer.recent.toArray());
      findings.push({
        rule: this.rule,
        // One alert per slow direction, whichever paths and protocols saw it (they are in the evidence).
        labels: { probe_region: first.slowFrom, region: first.slowTo, kind: 'one_way' },
        level,
        severity: this.config.severity,
        summary:
          `the one-way path ${first.slowFrom}->${first.slowTo} got about ${round1(rttStep)} ms slower ` +
          `(RTT step ${round1(rttStep)} ms, matched by the ${first.slowFrom}->${first.slowTo} one-way delay change; the reverse ` +
          `direction is unchanged; seen by ${group.length} path/protocol series): routing between these regions is now asymmetric`,
        evidence: {
          values,
          window: {
            from: Math.min(...samples.map((s) => s.at)),
            to: Math.max(...samples.map((s) => s.at)),
            samples: samples.length,
          },
          sampleIds: samples.map((s) => s.id),
        },
      });
    }
    return findings;
  }

  /**
   * A slow server process delays its receive timestamp just like a slow forward path; only the observer at
   * the other end can tell them apart, so opening an alert needs both ends firing, seeing the same RTT step,
   * and one-way changes that add up to it (forward change minus reverse change = RTT change).
   */
  private oneWayLevel(group: Step[], first: Step): 'fire' | 'hold' {
    if (!this.config.requireBothSides) return group.some((s) => s.level === 'fire') ? 'fire' : 'hold';
    const atEnd = (from: RegionCode) => group.filter((s) => s.observer.from === from && s.level === 'fire');
    const fwd = atEnd(first.slowFrom);
    const rev = atEnd(first.slowTo);
    if (fwd.length === 0 || rev.length === 0) return 'hold';
    const fwdRtt = median(fwd.map((s) => s.rttStepMs)) as number;
    const revRtt = median(rev.map((s) => s.rttStepMs)) as number;
    const rtt = (fwdRtt + revRtt) / 2;
    const tolerance = this.config.sumTolerance * rtt;
    const owdDifference =
      (median(fwd.map((s) => s.owdStepMs)) as number) - (median(rev.map((s) => s.owdStepMs)) as number);
    return Math.abs(fwdRtt - revRtt) <= tolerance && Math.abs(owdDifference - rtt) <= tolerance
      ? 'fire'
      : 'hold';
  }

  private observeEdge(r: StoredResult): void {
    const edge = r.edgeRegion ?? r.echo?.edgeRegion;
    if (!edge) return;
    const k = `${r.probeRegion}|${r.target}`;
    let e = this.edges.get(k);
    if (!e) {
      e = {
        probeRegion: r.probeRegion,
        target: r.target,
        ring: new Ring(this.config.catchmentWindow),
        lastAt: 0,
      };
      this.edges.set(k, e);
    }
    e.ring.push({ edge, id: r.id, at: r.startedAt });
    e.lastAt = Math.max(e.lastAt, r.startedAt);
  }

  private catchment(now: number): Finding<'asymmetry'>[] {
    const dominant = new Map<string, { edge: RegionCode; share: number; samples: EdgeSample[] }>();
    for (const e of liveEntries(this.edges, now, this.stale)) {
      const samples = e.ring.toArray();
      const m = mode(samples.map((s) => s.edge));
      if (m && samples.length >= Math.min(this.config.catchmentWindow, 3))
        dominant.set(`${e.probeRegion}|${e.target}`, {
          edge: m.value,
          share: m.count / samples.length,
          samples,
        });
    }
    const findings: Finding<'asymmetry'>[] = [];
    for (const e of this.edges.values()) {
      const mine = dominant.get(`${e.probeRegion}|${e.target}`);
      if (!mine || mine.edge === e.probeRegion || mine.share < this.config.catchmentClearShare) continue;
      const theirs = dominant.get(`${mine.edge}|${e.target}`);
      if (!theirs || theirs.edge !== mine.edge || theirs.share < this.config.catchmentClearShare) continue;
      const km = regionDistanceKm(e.probeRegion, mine.edge);
      if (km === undefined || km <= this.config.catchmentMinDistanceKm) continue;
      const level = mine.share >= this.config.catchmentFireShare ? 'fire' : 'hold';
      findings.push({
        rule: this.rule,
        labels: {
          probe_region: e.probeRegion,
          region: mine.edge,
          target: e.target,
          path: 'anycast',
          kind: 'catchment',
        },
        level,
        severity: this.config.severity,
        summary:
          `${e.target}: anycast traffic from ${e.probeRegion} enters Fly at the ${mine.edge} edge (${Math.round(km)} km away, ` +
          `${Math.round(mine.share * 100)}% of samples) while ${mine.edge}'s own traffic stays local: asymmetric BGP catchment`,
        evidence: {
          values: {
            edge_region: mine.edge,
            share: round1(mine.share),
            peer_local_share: round1(theirs.share),
            distance_km: Math.round(km),
          },
          window: {
            from: Math.min(mine.samples[0]?.at ?? now, theirs.samples[0]?.at ?? now),
            to: Math.max(mine.samples.at(-1)?.at ?? now, theirs.samples.at(-1)?.at ?? now),
            samples: mine.samples.length + theirs.samples.length,
          },
          sampleIds: mine.samples.filter((s) => s.edge === mine.edge).map((s) => s.id),
        },
      });
    }
    return findings;
  }
}
