import { z } from 'zod';
import { baseFields, ms, positiveInt } from '../core/config.ts';
import { defineDetector } from '../detector.ts';
import { LossDetector } from './detector.ts';

const configSchema = z.strictObject({
  ...baseFields('warning', 40),
  /** Newest samples per (probe region, target, target-side region) judged for firing. */
  window: positiveInt.max(1000).default(20),
  /** Failed or stalled samples among them that fire. */
  fireCount: positiveInt.default(3),
  /** Longer window and lower count that keep an open alert (hysteresis). */
  clearWindow: positiveInt.max(5000).default(60),
  clearCount: positiveInt.default(1),
  /** An alert ends early once the good samples since the last bad one reach this evidence (nats). */
  clearScore: z.number().finite().gt(0).default(6.9),
  /**
   * A sample is stalled above median + max(stallMinMs, stallFactor x median) of its series, in latencyMs
   * or in the TCP handshake. A retransmission costs at least Linux's minimum RTO (200 ms; a handshake 1 s),
   * so the bar sits below it: at exactly 200 ms it missed about half of them.
   */
  stallMinMs: ms.default(150),
  stallFactor: z.number().finite().min(0).default(2),
  /** Ok samples per (path, protocol) series forming the median; stalls need this many first. */
  baselineSamples: positiveInt.max(1000).default(30),
  minBaselineSamples: positiveInt.default(10),
});
export type LossConfig = z.infer<typeof configSchema>;

export const loss = defineDetector({
  rule: 'loss',
  summary: 'lost packets (failures and retransmission stalls) between two regions',
  labels: 'target, the region pair as probe_region and region (alphabetical when both measure each other)',
  configSchema,
  check: (c) => [
    ...(c.clearWindow < c.window ? ['clearWindow: must be at least window'] : []),
    ...(c.fireCount > c.window ? ['fireCount: must not exceed window'] : []),
  ],
  create: (config, deps) => new LossDetector(config, deps),
});
