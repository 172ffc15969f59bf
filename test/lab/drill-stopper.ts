import type { RegionCode } from '@flyprobe/shared';
import type { RegionStopper } from '../../cli/src/drill/types.ts';
import type { Lab } from './lab.ts';

/**
 * The drill's stop and start in the lab: the region's target echo process is stopped (its edge health
 * checks then fail, as fly-proxy's do for a stopped Machine) and started again with a new start time.
 */
export function labRegionStopper(lab: Lab, region: RegionCode): RegionStopper {
  return {
    describe: async () => `lab target ${lab.machineId(region)} in ${region}`,
    stop: () => lab.stopTarget(region),
    start: async () => {
      await lab.startTarget(region);
    },
    release: async () => undefined,
  };
}
