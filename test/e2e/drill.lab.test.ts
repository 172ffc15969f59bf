import { nearestRegion } from '@flyprobe/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectorClient } from '../../cli/src/collector-api/client.ts';
import { collectorSamples } from '../../cli/src/drill/observer.ts';
import { formatDrillReport } from '../../cli/src/drill/report.ts';
import { runDrill } from '../../cli/src/drill/runner.ts';
import { labRegionStopper } from '../lab/drill-stopper.ts';
import { type Lab, labCapability, startLab, waitFor } from '../lab/index.ts';
import { FAST_COLLECTOR_ENV } from './lab-helpers.ts';

/**
 * The failover drill in the lab: fra's target is stopped with the lab, probes in every region keep measuring
 * anycast, and the drill's convergence is read back from the collector's results API, as `flyprobe drill`
 * does. Configured truth: an edge serves from the nearest healthy target region (health checked every
 * EDGE_HEALTH_MS), so while fra is down every probe region is served from iad, and fra's catchment comes back.
 */

const capability = labCapability();
const REGIONS = ['iad', 'dfw', 'lhr', 'fra'];
const TARGETS = ['iad', 'fra'];
const DRAINED = 'fra';
const EDGE_HEALTH_MS = 1000;

describe.skipIf(!capability.ok)(
  `failover drill in the lab${capability.ok ? '' : ` (skipped: ${capability.reason})`}`,
  () => {
    let lab: Lab;

    beforeAll(async () => {
      lab = await startLab({
        regions: REGIONS,
        targetRegions: TARGETS,
        delays: { scale: 0.5 },
        edgeHealthIntervalMs: EDGE_HEALTH_MS,
        target: { paths: ['anycast'], protocols: ['http'], intervalMs: 500, timeoutMs: 2000 },
      });
      await lab.startCollector(FAST_COLLECTOR_ENV);
      for (const r of REGIONS) await lab.startProbe(r);
    }, 600_000);

    afterAll(async () => {
      await lab?.stop();
    }, 120_000);

    it('prints per probe region the time to converge away from fra and back, served as the edges promise', async () => {
      const client = new CollectorClient({ url: lab.collectorUrl, token: lab.readToken });
      const since = Date.now();
      const samples = collectorSamples(client, { target: 'web', paths: ['anycast'], since });
      // A baseline: every probe region has a few anycast samples.
      await waitFor(
        'anycast samples from every probe region',
        async () => {
          const s = await samples();
          return REGIONS.every((r) => s.filter((x) => x.probeRegion === r && x.outcome === 'ok').length >= 4)
            ? true
            : undefined;
        },
        60_000,
      );
      const report = await runDrill({
        region: DRAINED,
        stopper: labRegionStopper(lab, DRAINED),
        samples,
        phaseTimeoutMs: 60_000,
        pollMs: 1000,
        minRun: 3,
        now: Date.now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        log: (_level, line) => lab.log(line),
      });
      process.stdout.write(
        `drill of ${DRAINED} (edge health every ${EDGE_HEALTH_MS} ms, probes every 500 ms):\n${formatDrillReport(report, false)}`,
      );
      expect(report.timedOut).toEqual([]);
      const byRegion = new Map(report.rows.map((r) => [r.probeRegion, r]));
      expect([...byRegion.keys()].sort()).toEqual([...REGIONS].sort());
      for (const probeRegion of REGIONS) {
        const row = byRegion.get(probeRegion);
        const edge = lab.catchment.edgeFor(probeRegion);
        const before = nearestRegion(edge, TARGETS)?.code;
        const during = nearestRegion(
          edge,
          TARGETS.filter((t) => t !== DRAINED),
        )?.code;
        expect(row?.servedBefore, `${probeRegion} before`).toBe(before);
        expect(row?.servedDuring, `${probeRegion} during`).toBe(during);
        expect(row?.affected, `${probeRegion} affected`).toBe(before === DRAINED);
        expect(row?.awayMs, `${probeRegion} converged away`).not.toBeNull();
        if (before === DRAINED) expect(row?.backMs, `${probeRegion} converged back`).not.toBeNull();
        // Regions the drained region never served are not disturbed at all.
        else expect({ away: row?.awayMs, errors: row?.errorsAway }).toEqual({ away: 0, errors: {} });
      }
    }, 300_000);
  },
);
