import { type RegionCode, regionRttFloorMs } from '@flyprobe/shared';
import type { EndpointPlan } from './plan.ts';

/**
 * The lab's truth about the WAN: a one-way delay, jitter bound and loss probability per ordered
 * region pair, each direction on its own. Endpoint pairs inherit their regions' figures.
 */

export interface DelayModelOptions {
  /** Observed / fibre floor; real paths run 1.2-2x the great-circle floor. */
  inflation?: number;
  /** Multiplies every inter-region delay, to keep tests fast while keeping the geometry (nearest stays nearest). */
  scale?: number;
  /** One-way delay between two endpoints of the same region (machine <-> edge). */
  localMs?: number;
  /** Upper bound of the uniform extra delay added per packet. */
  jitterMs?: number;
  /** One-way delay between any region and the host endpoint (harness, DNS). */
  hostMs?: number;
}

export const DEFAULT_DELAY_MODEL: Required<DelayModelOptions> = {
  inflation: 1.3,
  scale: 1,
  localMs: 0.1,
  jitterMs: 0,
  hostMs: 0,
};

/** Default one-way delay: half the fibre RTT floor x inflation x scale; `localMs` within a region. */
export function defaultOneWayMs(a: RegionCode, b: RegionCode, options: DelayModelOptions = {}): number {
  const o = { ...DEFAULT_DELAY_MODEL, ...options };
  if (a === b) return o.localMs;
  const floor = regionRttFloorMs(a, b);
  if (floor === undefined) throw new Error(`no catalog coordinates for ${a} or ${b}`);
  return (floor / 2) * o.inflation * o.scale;
}

export interface PairSettings {
  delayMs: number;
  jitterMs: number;
  loss: number;
}

export interface EmulatorPair extends PairSettings {
  src: string;
  dst: string;
}

const key = (a: string, b: string) => `${a}>${b}`;

export class WanModel {
  readonly options: Required<DelayModelOptions>;
  private readonly base = new Map<string, number>();
  private readonly extra = new Map<string, number>();
  private readonly loss = new Map<string, number>();

  constructor(
    readonly regions: RegionCode[],
    options: DelayModelOptions = {},
    /** Explicit one-way delays `{ 'iad>fra': 40 }` replacing the default for that direction. */
    overrides: Record<string, number> = {},
  ) {
    this.options = { ...DEFAULT_DELAY_MODEL, ...options };
    for (const a of regions)
      for (const b of regions)
        this.base.set(key(a, b), overrides[key(a, b)] ?? defaultOneWayMs(a, b, this.options));
    for (const k of Object.keys(overrides))
      if (!this.base.has(k)) throw new Error(`delays: "${k}" is not a pair of lab regions (write "src>dst")`);
  }

  private check(a: RegionCode, b: RegionCode): string {
    const k = key(a, b);
    if (!this.base.has(k)) throw new Error(`"${a}" or "${b}" is not a lab region`);
    return k;
  }

  /** Configured one-way delay src -> dst (base + extra), without jitter. */
  oneWayMs(src: RegionCode, dst: RegionCode): number {
    const k = this.check(src, dst);
    return (this.base.get(k) ?? 0) + (this.extra.get(k) ?? 0);
  }

  /** Configured round trip: src -> dst plus dst -> src. */
  rttMs(a: RegionCode, b: RegionCode): number {
    return this.oneWayMs(a, b) + this.oneWayMs(b, a);
  }

  setExtraDelay(src: RegionCode, dst: RegionCode, extraMs: number): void {
    if (!Number.isFinite(extraMs) || extraMs < 0) throw new Error('extraMs: must be a finite number >= 0');
    this.extra.set(this.check(src, dst), extraMs);
  }

  setLoss(src: RegionCode, dst: RegionCode, probability: number): void {
    if (!(probability >= 0 && probability <= 1)) throw new Error('loss: must be a probability within 0..1');
    this.loss.set(this.check(src, dst), probability);
  }

  lossOf(src: RegionCode, dst: RegionCode): number {
    return this.loss.get(this.check(src, dst)) ?? 0;
  }

  /** Settings for one ordered endpoint pair; the host endpoint (region null) gets `hostMs` and no loss. */
  pairSettings(src: EndpointPlan, dst: EndpointPlan): PairSettings {
    if (src.region === null || dst.region === null)
      return { delayMs: this.options.hostMs, jitterMs: 0, loss: 0 };
    return {
      delayMs: this.oneWayMs(src.region, dst.region),
      jitterMs: this.options.jitterMs,
      loss: this.lossOf(src.region, dst.region),
    };
  }

  /** Every ordered endpoint pair, as the emulator takes them. */
  emulatorPairs(endpoints: EndpointPlan[]): EmulatorPair[] {
    const out: EmulatorPair[] = [];
    for (const s of endpoints)
      for (const d of endpoints)
        if (s !== d) out.push({ src: s.name, dst: d.name, ...this.pairSettings(s, d) });
    return out;
  }
}
