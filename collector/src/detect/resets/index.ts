import { z } from 'zod';
import { baseFields, positiveInt } from '../core/config.ts';
import { defineDetector } from '../detector.ts';
import { ResetsDetector } from './detector.ts';

const configSchema = z.strictObject({
  ...baseFields('critical', 40),
  /** Newest trials kept per cell for the evidence and for telling a touched row or column from a clean one. */
  window: positiveInt.max(1000).default(30),
  /** A cell with a failure in its last this many intervals is touched (counts towards its row and column). */
  touchedIntervals: positiveInt.max(10_000).default(10),
  /** Baseline: Beta prior (mean `priorRate`, weight `priorWeight` trials) updated with clean trials... */
  priorRate: z.number().finite().gt(0).lt(1).default(0.003),
  priorWeight: positiveInt.max(100_000).default(300),
  /** ...decaying over this many trials. */
  baselineTrials: positiveInt.max(1_000_000).default(500),
  /** The CUSUM looks for a rate of at least `minRate` and `rateRatio` x the baseline. */
  minRate: z.number().finite().gt(0).lt(1).default(0.08),
  rateRatio: z.number().finite().min(1).default(4),
  /** Log-likelihood ratio (nats) that opens an alarm, and the evidence for the baseline rate that ends it. */
  fireScore: z.number().finite().gt(0).default(9),
  clearScore: z.number().finite().gt(0).default(4.6),
});
export type ResetsConfig = z.infer<typeof configSchema>;

export const resets = defineDetector({
  rule: 'resets',
  summary: 'resets, refusals and gRPC stream terminations, rolled up by probe region and target region',
  labels:
    'target, path, kind = `connection` / `stream`, scope = `pair` / `probe_region` / `target_region` / `global`, and probe_region (pair, probe_region), region (pair, target_region), protocol=grpc (stream)',
  configSchema,
  check: (c) => (c.minRate <= c.priorRate ? ['minRate: must exceed priorRate'] : []),
  create: (config, deps) => new ResetsDetector(config, deps),
});
