import type { StoredResult } from '../../store/store.ts';
import type { DetectionContext, Detector, Finding } from '../types.ts';
import { CatchmentAsymmetry } from './catchment/index.ts';
import type { AsymmetryConfig } from './index.ts';
import { OneWayAsymmetry } from './one-way/index.ts';
import { RttAsymmetry } from './rtt/index.ts';

/**
 * Asymmetric routing, three rules under one name and one config, labelled by `kind`: (a) `rtt`, mesh RTT
 * medians by direction; (b) `one_way`, an RTT step carried by one direction's one-way delay; (c)
 * `catchment`, BGP catchment that differs by direction.
 */
export class AsymmetryDetector implements Detector<'asymmetry'> {
  readonly rule = 'asymmetry' as const;
  private readonly parts: Detector<'asymmetry'>[];

  constructor(config: AsymmetryConfig, ctx: DetectionContext) {
    this.parts = [
      new RttAsymmetry(config, ctx),
      new OneWayAsymmetry(config, ctx),
      new CatchmentAsymmetry(config, ctx),
    ];
  }

  observe(r: StoredResult): void {
    for (const p of this.parts) p.observe(r);
  }

  evaluate(now: number): Finding<'asymmetry'>[] {
    return this.parts.flatMap((p) => p.evaluate(now));
  }
}
