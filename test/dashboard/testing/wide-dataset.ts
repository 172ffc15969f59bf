import { allRegions, regionRttFloorMs } from '@flyprobe/shared';
import type { SeedOptions } from './dataset.ts';

/** Every catalog region with coordinates (current and deprecated: 35), probing a target that runs in all of them. */
export function wideDataset(samplesPerCell: number): SeedOptions {
  const regions = allRegions()
    .filter((r) => r.status !== 'edge_only')
    .map((r) => r.code);
  return {
    probeRegions: regions,
    targetRegions: regions,
    samplesPerCell,
    latency: (from, to) => Math.round((2 + 1.35 * (regionRttFloorMs(from, to) ?? 50)) * 10) / 10,
    served: (from) => from,
  };
}
