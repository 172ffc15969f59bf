import { type RegionCode, regionDistanceKm } from '@flyprobe/shared';
import type { StoredResult } from '../../../store/store.ts';
import { staleFor } from '../../core/config.ts';
import { entry } from '../../core/keyed.ts';
import { joinKey } from '../../core/keys.ts';
import { type RecordLayout, RecordRing } from '../../core/record-ring.ts';
import { edgeRegion } from '../../core/result.ts';
import { Symbols } from '../../core/symbols.ts';
import { liveEntries, mode, round1 } from '../../core/window.ts';
import type { DetectionContext, Detector, Finding } from '../../types.ts';
import type { AsymmetryConfig } from '../index.ts';

interface EdgeSample {
  edge: RegionCode;
  id: number;
  at: number;
}

/** An edge sample as 3 numbers: edge (symbol), id, at. */
function edgeLayout(regions: Symbols<RegionCode>): RecordLayout<EdgeSample> {
  return {
    width: 3,
    write: (to, at, s) => {
      to[at] = regions.id(s.edge);
      to[at + 1] = s.id;
      to[at + 2] = s.at;
    },
    read: (from, at) => ({
      edge: regions.name(from[at]) as RegionCode,
      id: from[at + 1] as number,
      at: from[at + 2] as number,
    }),
  };
}

interface Edges {
  probeRegion: RegionCode;
  target: string;
  ring: RecordRing<EdgeSample>;
  lastAt: number;
}

/** (c) Catchment asymmetry: anycast from P lands at X's edge while X's own traffic stays local. */
export class CatchmentAsymmetry implements Detector<'asymmetry'> {
  readonly rule = 'asymmetry' as const;
  private readonly edges = new Map<string, Edges>();
  private readonly stale: (key: { target?: string }) => number;
  private readonly samples = edgeLayout(new Symbols<RegionCode>());

  constructor(
    private readonly config: AsymmetryConfig,
    ctx: DetectionContext,
  ) {
    this.stale = staleFor(config, ctx);
  }

  observe(r: StoredResult): void {
    // BGP catchment exists only on anycast: a Flycast request enters the proxy of the caller's own region.
    if (r.path !== 'anycast') return;
    const edge = edgeRegion(r);
    if (!edge) return;
    const k = joinKey(r.probeRegion, r.target);
    const e =
      this.edges.get(k) ??
      entry(this.edges, k, () => ({
        probeRegion: r.probeRegion,
        target: r.target,
        ring: new RecordRing(this.config.catchmentWindow, this.samples),
        lastAt: 0,
      }));
    e.ring.push({ edge, id: r.id, at: r.startedAt });
    e.lastAt = Math.max(e.lastAt, r.startedAt);
  }

  evaluate(now: number): Finding<'asymmetry'>[] {
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
