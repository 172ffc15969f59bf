import { z } from 'zod';
import { baseFields, ms, positiveInt } from '../core/config.ts';
import { defineDetector } from '../detector.ts';
import { RestartDetector } from './detector.ts';

const configSchema = z.strictObject({
  ...baseFields('warning', 5760),
  /** The alert stays firing this many intervals (or `holdMs`) after the last restart seen, then resolves. */
  holdIntervals: positiveInt.max(100_000).default(5),
  holdMs: ms.min(1).optional(),
  /** A start time later by less than this is the same process (clock rounding). */
  minChangeMs: ms.default(1000),
});
export type RestartConfig = z.infer<typeof configSchema>;

export const restart = defineDetector({
  rule: 'restart',
  summary: 'a Machine restarted without a deploy',
  labels: 'target, region, machine',
  configSchema,
  create: (config, deps) => new RestartDetector(config, deps),
});
