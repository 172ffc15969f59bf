import { z } from 'zod';
import { baseFields, ms, positiveInt, ratio } from '../core/config.ts';
import { defineDetector } from '../detector.ts';
import { LatencyDetector } from './detector.ts';

const configSchema = z.strictObject({
  ...baseFields('warning', 40),
  /** Samples per tumbling window of a cell. */
  windowSamples: positiveInt.max(10_000).default(20),
  quantile: ratio.default(0.95),
  /** Consecutive breaching windows before firing ("sustained"). */
  fireWindows: positiveInt.default(2),
  /** Baseline = median quantile of this many earlier non-breaching windows. */
  baselineWindows: positiveInt.max(1000).default(10),
  minBaselineWindows: positiveInt.default(3),
  /**
   * Breach against the baseline: quantile > baseline x ratio and above it by minDeltaMs, and the window's
   * median above the baseline median by half of minDeltaMs (a sustained shift, not a few host stalls).
   */
  baselineRatio: z.number().finite().min(1).default(1.5),
  baselineMinDeltaMs: ms.default(20),
  /**
   * Breach against the fibre floor: the window's `floorQuantile` > floor x ratio and above it by minExcessMs.
   * The floor is a lower bound, so a path change moves the whole distribution; the median is used because
   * a busy host inflates only the tail. Floors below `floorMinMs` (same region: 0) are raised to it.
   */
  floorRatio: z.number().finite().min(1).default(4),
  floorMinExcessMs: ms.default(80),
  floorQuantile: ratio.default(0.5),
  floorMinMs: ms.default(5),
  /** An open alert stays open while a window exceeds its thresholds scaled by this (0..1)... */
  clearFactor: ratio.default(0.8),
  /** ...and until this many consecutive windows were below them. */
  clearWindows: positiveInt.default(2),
});
export type LatencyConfig = z.infer<typeof configSchema>;

export const latency = defineDetector({
  rule: 'latency',
  summary: 'the p95 of a matrix cell above its own baseline or the fibre floor, sustained',
  labels: 'probe_region, target, path, protocol, region',
  configSchema,
  create: (config, deps) => new LatencyDetector(config, deps),
});
