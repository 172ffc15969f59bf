import { z } from 'zod';
import { baseFields, ms, positiveInt, ratio } from '../core/config.ts';
import { defineDetector } from '../detector.ts';
import { MisrouteDetector } from './detector.ts';

const configSchema = z.strictObject({
  ...baseFields('warning', 40),
  /** Served region farther than the expected one by more than this is misrouted. */
  extraDistanceKm: ms.default(500),
  /** An edge farther than this from the probe region means BGP catchment, not the proxy, is at fault. */
  edgeFarKm: ms.default(500),
  /** Anycast samples per (probe region, target, protocol) judged at each evaluation. */
  window: positiveInt.max(1000).default(6),
  /** Misrouted samples in the window that open an alert. */
  fireCount: positiveInt.default(2),
  /** Misrouted samples among the newest `clearWindow` that keep it open: a longer window and a lower count. */
  clearCount: positiveInt.default(1),
  clearWindow: positiveInt.max(1000).default(20),
  /** An alert ends early once the clean samples since the last misrouted one reach this evidence (nats). */
  clearScore: z.number().finite().gt(0).default(6.9),
  /** Pinned/private samples per (target, region) that decide whether the region is healthy. */
  healthWindow: positiveInt.max(1000).default(10),
  minHealthyRatio: ratio.default(0.5),
  /** Health evidence older than this is ignored; a configured region without evidence counts as healthy. */
  healthMaxAgeIntervals: positiveInt.max(100_000).default(8),
  healthMaxAgeMs: ms.min(1).optional(),
  /**
   * Anycast samples served elsewhere up to this long after the expected region was last judged unhealthy
   * are not misrouted: the edges' own health checks take a while to send traffic back (and samples taken
   * during the outage are re-judged once the region is healthy again).
   */
  recoveryGraceIntervals: z.number().finite().min(0).default(2),
  recoveryGraceMs: ms.optional(),
});
export type MisrouteConfig = z.infer<typeof configSchema>;

export const misroute = defineDetector({
  rule: 'misroute',
  summary: 'anycast or flycast served by a region that is not the nearest healthy one',
  labels: 'probe_region, target, path=anycast or flycast, protocol, region = the wrong served region',
  configSchema,
  check: (c) => [
    ...(c.clearCount > c.fireCount ? ['clearCount: must not exceed fireCount'] : []),
    ...(c.fireCount > c.window ? ['fireCount: must not exceed window'] : []),
    ...(c.clearWindow < c.window ? ['clearWindow: must be at least window'] : []),
  ],
  create: (config, deps) => new MisrouteDetector(config, deps),
});
