import { z } from 'zod';
import { baseFields, ms, positiveInt, ratio } from '../core/config.ts';
import { defineDetector } from '../detector.ts';
import { ProbeDegradedDetector } from './detector.ts';

const configSchema = z.strictObject({
  ...baseFields('info', 20),
  maxEventLoopP99Ms: ms.default(250),
  /** Throttled share of CPU periods between two heartbeats. */
  maxThrottledRatio: ratio.default(0.25),
  /** Heartbeats judged, degraded ones needed to fire and to stay open. */
  window: positiveInt.max(100).default(3),
  fireCount: positiveInt.default(2),
  clearCount: positiveInt.default(1),
});
export type ProbeDegradedConfig = z.infer<typeof configSchema>;

export const probeDegraded = defineDetector({
  rule: 'probe_degraded',
  summary:
    'a probe whose event loop lags or whose CPU is throttled; its samples are distrusted by every rule',
  labels: 'probe_region, probe',
  configSchema,
  check: (c) => (c.clearCount > c.fireCount ? ['clearCount: must not exceed fireCount'] : []),
  create: (config, deps) => new ProbeDegradedDetector(config, deps),
});
