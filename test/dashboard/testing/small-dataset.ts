import type { SeedOptions } from './dataset.ts';

const NEAREST: Record<string, string> = { iad: 'iad', fra: 'fra', lhr: 'fra', syd: 'syd', nrt: 'syd' };

function served(from: string, i: number): string {
  if (from === 'syd' && i >= 14 && i < 24) return 'iad';
  if (from === 'nrt' && i >= 32 && i % 2 === 1) return 'iad';
  return NEAREST[from] ?? 'iad';
}

const LATENCY: Record<string, number> = {
  'iad iad': 2.4,
  'iad fra': 88,
  'iad syd': 205,
  'fra iad': 91,
  'fra fra': 1.6,
  'fra syd': 268,
  'lhr iad': 79,
  'lhr fra': 16,
  'nrt iad': 162,
  'nrt fra': 232,
  'nrt syd': 118,
  'syd iad': 212,
  'syd fra': 275,
  'syd syd': 3.2,
};

/**
 * Five probe regions, the target in three. Pinned latencies are fixed per pair (so every quantile equals
 * them within the sketch's 1%); lhr -> syd has no samples. syd's anycast shifts to iad for a stretch (a
 * catchment shift the routes timeline must show); nrt's anycast flaps between syd and iad in its newest
 * samples (misroute and flapping alerts, with a region sequence); the syd probe reports itself degraded.
 */
export const SMALL: SeedOptions = {
  probeRegions: ['syd', 'fra', 'iad', 'nrt', 'lhr'],
  targetRegions: ['iad', 'fra', 'syd'],
  samplesPerCell: 40,
  latency: (from, to) => LATENCY[`${from} ${to}`],
  served,
  degraded: ['syd'],
};
