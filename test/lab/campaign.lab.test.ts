import { describe, expect, it } from 'vitest';
import { runCampaign } from './campaign/run.ts';
import { formatScore } from './campaign/scorer.ts';
import { labCapability } from './index.ts';

/**
 * CI subset of the detection campaign: a fixed seed drawing six faults from different classes at a 2 s
 * interval. Every fault must raise its alert with the right labels, and nothing else may fire. The long
 * randomized campaign is `pnpm bench:detection-campaign`.
 */
const capability = labCapability();
const SEED = 13;

describe.skipIf(!capability.ok)(
  `detection campaign (fixed seed)${capability.ok ? '' : ` (skipped: ${capability.reason})`}`,
  () => {
    it('detects six random faults with the right labels and raises no false alert', async () => {
      const result = await runCampaign({ seed: SEED, faults: 6, warmupIntervals: 20, gapIntervals: [5, 7] });
      console.log(formatScore(result.score));
      const missed = result.score.faults
        .filter((s) => !s.detected)
        .map((s) => `#${s.fault.id} ${s.fault.faultClass}: ${s.fault.description}`);
      expect(missed).toEqual([]);
      const falseAlerts = [
        ...result.score.cleanFalseAlerts,
        ...result.score.faults.flatMap((s) => s.falseAlerts),
      ].map((a) => `${a.rule} ${JSON.stringify(a.labels)}`);
      expect(falseAlerts).toEqual([]);
    }, 900_000);
  },
);
