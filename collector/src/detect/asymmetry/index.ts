import { z } from 'zod';
import { baseFields, ms, positiveInt, ratio } from '../core/config.ts';
import { defineDetector } from '../detector.ts';
import { AsymmetryDetector } from './detector.ts';

const configSchema = z.strictObject({
  ...baseFields('warning', 40),
  /** (a) Mesh RTT medians over this many samples per direction. */
  window: positiveInt.max(1000).default(20),
  minSamples: positiveInt.default(10),
  /** Fire when |A->B - B->A| exceeds max(minDiffMs, diffRatio x the smaller median). */
  minDiffMs: ms.default(10),
  diffRatio: ratio.default(0.25),
  /** Keep an open alert while the difference exceeds clearRatio x the fire threshold. */
  clearRatio: ratio.default(0.5),
  /** (b) One-way change: the newest samples compared with the baseline before them. */
  recentSamples: positiveInt.max(100).default(3),
  baselineSamples: positiveInt.max(1000).default(30),
  minBaselineSamples: positiveInt.default(8),
  /**
   * An RTT step counts when it exceeds max(minStepMs, stepRatio x baseline RTT, noiseMads x the baseline's
   * median absolute deviation): the noise band is estimated from the series itself.
   */
  minStepMs: ms.default(10),
  stepRatio: ratio.default(0.25),
  noiseMads: z.number().finite().min(0).default(6),
  /**
   * Both ends must see the same RTT step (within this share of it), and the forward minus the reverse
   * one-way change must add up to it: RTT is the sum of the two directions, whichever end measures it.
   */
  sumTolerance: ratio.default(0.5),
  /** Share of the RTT step seen in one direction's one-way delay that attributes it to that direction. */
  attributionShare: ratio.default(0.7),
  /** Open a one-way alert only when observers at both ends agree on the direction (one side alone can hold). */
  requireBothSides: z.boolean().default(true),
  /** (c) Catchment asymmetry: P lands at X's edge while X stays local. */
  catchmentWindow: positiveInt.max(1000).default(10),
  catchmentFireShare: ratio.default(0.8),
  catchmentClearShare: ratio.default(0.5),
  catchmentMinDistanceKm: ms.default(500),
});
export type AsymmetryConfig = z.infer<typeof configSchema>;

export const asymmetry = defineDetector({
  rule: 'asymmetry',
  summary: 'routing that differs by direction: mesh RTT (a), one-way delay steps (b), BGP catchment (c)',
  labels: 'probe_region, region, kind = `rtt` / `one_way` / `catchment` (+ path, protocol, target)',
  configSchema,
  check: (c) => (c.minSamples > c.window ? ['minSamples: must not exceed window'] : []),
  create: (config, deps) => new AsymmetryDetector(config, deps),
});
