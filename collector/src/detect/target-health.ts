import type { RegionCode } from '@flyprobe/shared';
import type { StoredResult } from '../store/store.ts';
import { Ring } from './window.ts';

interface Sample {
  at: number;
  ok: boolean;
}

/**
 * Whether each region of a target answers its pinned/private checks, from every probe's recent results.
 * Anycast is expected to go to a healthy region only, so a region whose Machines fail is no longer "expected".
 */
export class TargetHealth {
  private readonly byTarget = new Map<string, Map<RegionCode, Ring<Sample>>>();

  constructor(private readonly opts: { window: number; minHealthyRatio: number; maxAgeMs: number }) {}

  observe(r: StoredResult): void {
    if ((r.path !== 'pinned' && r.path !== 'private') || !r.targetRegion) return;
    let regions = this.byTarget.get(r.target);
    if (!regions) {
      regions = new Map();
      this.byTarget.set(r.target, regions);
    }
    let ring = regions.get(r.targetRegion);
    if (!ring) {
      ring = new Ring<Sample>(this.opts.window);
      regions.set(r.targetRegion, ring);
    }
    ring.push({ at: r.startedAt, ok: r.outcome === 'ok' });
  }

  /** Configured regions without fresh evidence count as healthy; observed ones need their last and most samples ok. */
  healthyRegions(target: string, configured: readonly RegionCode[], now: number): RegionCode[] {
    const out = new Set<RegionCode>();
    const regions = this.byTarget.get(target);
    const candidates = new Set<RegionCode>([...configured, ...(regions?.keys() ?? [])]);
    for (const region of candidates) {
      const fresh = (regions?.get(region)?.toArray() ?? []).filter((s) => now - s.at <= this.opts.maxAgeMs);
      if (fresh.length === 0) {
        if (configured.includes(region)) out.add(region);
        continue;
      }
      // Quick to call a region unhealthy: that only ever moves the expected region farther, never raises an alert.
      const ok = fresh.filter((s) => s.ok).length;
      if (fresh.at(-1)?.ok && ok / fresh.length >= this.opts.minHealthyRatio) out.add(region);
    }
    return [...out].sort();
  }
}
