import { z } from 'zod';
import { baseFields, ms, positiveInt } from '../core/config.ts';
import { defineDetector } from '../detector.ts';
import { FlappingDetector } from './detector.ts';

const configSchema = z.strictObject({
  ...baseFields('warning', 120),
  penaltyPerChange: ms.min(1).default(1000),
  /** RFC 2439 suppress threshold: fire at or above it. */
  suppressThreshold: ms.min(1).default(2000),
  /** RFC 2439 reuse threshold: clear below it. */
  reuseThreshold: ms.min(0).default(750),
  /** Penalty ceiling, so a long flap still clears in bounded time. */
  maxPenalty: ms.min(1).default(6000),
  /** Half-life in probe intervals of the key (measured), unless `halfLifeMs` is set. */
  halfLifeIntervals: z.number().finite().min(1).default(20),
  halfLifeMs: ms.min(1).optional(),
  /** Region changes kept as evidence. */
  sequenceLength: positiveInt.max(200).default(20),
});
export type FlappingConfig = z.infer<typeof configSchema>;

export const flapping = defineDetector({
  rule: 'flapping',
  summary: 'served or edge region changes of a routed path (RFC 2439 damping)',
  labels: 'probe_region, target, path=anycast or flycast, protocol',
  configSchema,
  check: (c) => [
    ...(c.reuseThreshold >= c.suppressThreshold ? ['reuseThreshold: must be below suppressThreshold'] : []),
    ...(c.maxPenalty < c.suppressThreshold ? ['maxPenalty: must be at least suppressThreshold'] : []),
  ],
  create: (config, deps) => new FlappingDetector(config, deps),
});
