import type { RegionCode } from '@flyprobe/shared';
import type { StoredResult } from '../../store/store.ts';
import { entry } from '../core/keyed.ts';
import { type RecordLayout, RecordRing } from '../core/record-ring.ts';

interface Sample {
  at: number;
  ok: boolean;
}

const F_AT = 0;
const F_OK = 1;

/** A sample as 2 numbers: at, ok (1 or 0). */
const SAMPLE: RecordLayout<Sample> = {
  width: 2,
  write: (to, at, s) => {
    to[at + F_AT] = s.at;
    to[at + F_OK] = s.ok ? 1 : 0;
  },
  read: (from, at) => ({ at: from[at + F_AT] as number, ok: from[at + F_OK] === 1 }),
};

/**
 * Whether each region of a target answers its pinned/private checks. Each probe region judges each target
 * region from its own recent results (last one ok and at least `minHealthyRatio` of them); a region is
 * unhealthy when most probe regions with fresh evidence say so. One probe region's own trouble (resets at its
 * side, a lossy link) must not make a region look down to everyone and move everyone's expected region.
 */
export class TargetHealth {
  /** target -> target region -> probe region -> recent samples. */
  private readonly byTarget = new Map<string, Map<RegionCode, Map<RegionCode, RecordRing<Sample>>>>();

  constructor(
    private readonly opts: { window: number; minHealthyRatio: number; maxAgeMs: (target: string) => number },
  ) {}

  observe(r: StoredResult): void {
    if ((r.path !== 'pinned' && r.path !== 'private') || !r.targetRegion) return;
    // get first: the factory closures are built only for a new key, not per result.
    const regions = this.byTarget.get(r.target) ?? entry(this.byTarget, r.target, () => new Map());
    const observers = regions.get(r.targetRegion) ?? entry(regions, r.targetRegion, () => new Map());
    const ring =
      observers.get(r.probeRegion) ??
      entry(observers, r.probeRegion, () => new RecordRing(this.opts.window, SAMPLE));
    ring.push({
      at: r.startedAt,
      ok: r.outcome === 'ok',
    });
  }

  /** Configured regions without fresh evidence count as healthy; observed ones need most probe regions' vote. */
  healthyRegions(target: string, configured: readonly RegionCode[], now: number): RegionCode[] {
    const out = new Set<RegionCode>();
    const regions = this.byTarget.get(target);
    const candidates = new Set<RegionCode>([...configured, ...(regions?.keys() ?? [])]);
    const maxAgeMs = this.opts.maxAgeMs(target);
    for (const region of candidates) {
      let healthy = 0;
      let judged = 0;
      for (const ring of regions?.get(region)?.values() ?? []) {
        // Read in place: this runs for every anycast series at every evaluation.
        let fresh = 0;
        let ok = 0;
        let lastOk = false;
        for (let i = 0; i < ring.size; i++) {
          if (!(now - ring.field(i, F_AT) <= maxAgeMs)) continue;
          fresh++;
          lastOk = ring.field(i, F_OK) === 1;
          if (lastOk) ok++;
        }
        if (fresh === 0) continue;
        judged++;
        // Quick to call a region unhealthy: that only ever moves the expected region farther.
        if (lastOk && ok / fresh >= this.opts.minHealthyRatio) healthy++;
      }
      if (judged === 0 ? configured.includes(region) : healthy * 2 >= judged) out.add(region);
    }
    return [...out].sort();
  }
}
