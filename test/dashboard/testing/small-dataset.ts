import type { SeedOptions } from './dataset.ts';

/**
 * Four probe regions, the target in three. Pinned latencies are fixed per pair (so every quantile equals
 * them within the sketch's 1%); lhr -> syd has no samples. syd's anycast shifts to iad for a stretch (a
 * catchment shift the routes timeline must show), and the syd probe reports itself degraded.
 */
export const SMALL: SeedOptions = {
  probeRegions: ['syd', 'fra', 'iad', 'lhr'],
  targetRegions: ['iad', 'fra', 'syd'],
  samplesPerCell: 40,
  latency: (from, to) => LATENCY[`${from} ${to}`],
  served: (from, i) => (from === 'syd' ? (i >= 14 && i < 24 ? 'iad' : 'syd') : (NEAREST[from] ?? 'iad')),
  degraded: ['syd'],
};

const NEAREST: Record<string, string> = { iad: 'iad', fra: 'fra', lhr: 'fra', syd: 'syd' };

const LATENCY: Record<string, number> = {
  'iad iad': 2.4,
  'iad fra': 88,
  'iad syd': 205,
  'fra iad': 91,
  'fra fra': 1.6,
  'fra syd': 268,
  'lhr iad': 79,
  'lhr fra': 16,
  'syd iad': 212,
  'syd fra': 275,
  'syd syd': 3.2,
};
