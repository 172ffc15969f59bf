import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, labCapability } from '../lab/index.ts';
import {
  type Episode,
  faultEpisode,
  listAlerts,
  PROBE_INTERVAL_MS,
  startDetectionLab,
} from './detection-lab.ts';

/**
 * Lab validation of detection and alerting: real probes (400 ms intervals), edges, targets and collector in
 * network namespaces. A clean run of 300+ probe intervals raises nothing; then each fault raises the right
 * alert and the alert resolves after the fault is removed. Detection latencies are printed (the benchmark
 * test/bench/detection.ts reports them as figures).
 */
const capability = labCapability();
const CLEAN_INTERVALS = 320;

describe.skipIf(!capability.ok)(
  `detection in the lab${capability.ok ? '' : ` (skipped: ${capability.reason})`}`,
  () => {
    let lab: Lab;
    const figures: string[] = [];

    beforeAll(async () => {
      // Labs are serialized across processes: this may first wait for another test's lab (up to 10 min).
      lab = await startDetectionLab();
    }, 900_000);

    afterAll(async () => {
      if (figures.length)
        console.log(`detection latency (probe interval ${PROBE_INTERVAL_MS} ms):\n${figures.join('\n')}`);
      await lab?.stop();
    }, 120_000);

    const record = (name: string, e: Episode) => {
      figures.push(
        `  ${name.padEnd(22)} fired after ${(e.detectMs / PROBE_INTERVAL_MS).toFixed(1)} intervals (${e.detectMs} ms), ` +
          `resolved ${e.resolveMs} ms after removal`,
      );
      expect(e.alert.state).toBe('firing');
      expect(e.alert.evidence.sampleIds.length).toBeGreaterThan(0);
    };

    it(`a clean run of ${CLEAN_INTERVALS} probe intervals with jitter and lab delays raises no alert`, async () => {
      await new Promise((resolve) => setTimeout(resolve, CLEAN_INTERVALS * PROBE_INTERVAL_MS));
      const results = await lab.api<{ results: unknown[] }>('/v1/results?target=web&limit=1000');
      expect(results.results.length).toBeGreaterThan(500);
      const alerts = await listAlerts(lab);
      expect(alerts.map((a) => `${a.rule} ${JSON.stringify(a.labels)}: ${a.summary}`)).toEqual([]);
    }, 200_000);

    it('catchment misroute of one region', async () => {
      const e = await faultEpisode(lab, {
        rule: 'misroute',
        labels: { probe_region: 'dfw', region: 'fra', path: 'anycast' },
        inject: () => lab.misrouteCatchment('dfw', 'fra'),
        remove: () => lab.resetCatchment('dfw'),
      });
      expect(e.alert.evidence.values.cause).toBe('catchment');
      expect(e.alert.evidence.values.expected_region).toBe('iad');
      expect(e.alert.scope).toBe('local');
      record('catchment misroute', e);
    }, 150_000);

    it('proxy misroute', async () => {
      const e = await faultEpisode(lab, {
        rule: 'misroute',
        // The penalty is measured against the pinned path, which exists for HTTP only (fly-force-region).
        labels: { probe_region: 'lhr', region: 'iad', path: 'anycast', protocol: 'http' },
        inject: () => lab.misrouteProxy('lhr', 'iad'),
        remove: () => lab.misrouteProxy('lhr', null),
      });
      expect(e.alert.evidence.values.cause).toBe('proxy');
      expect(e.alert.evidence.values.latency_penalty_ms as number).toBeGreaterThan(10);
      record('proxy misroute', e);
    }, 150_000);

    it('flapping between two regions every few intervals', async () => {
      const e = await faultEpisode(lab, {
        rule: 'flapping',
        labels: { probe_region: 'lhr', path: 'anycast' },
        inject: () => lab.flapCatchment('lhr', { edges: ['lhr', 'iad'], periodMs: 3 * PROBE_INTERVAL_MS }),
        remove: async () => {
          lab.stopFlap('lhr');
          await lab.resetCatchment('lhr');
        },
      });
      const served = new Set(e.alert.evidence.regionSequence?.map((s) => s.served));
      expect(served).toEqual(new Set(['fra', 'iad']));
      record('flapping', e);
    }, 150_000);

    it('RST injection in one region', async () => {
      let rst: { remove(): Promise<void> } | undefined;
      const e = await faultEpisode(lab, {
        rule: 'resets',
        // Every connection from dfw to the anycast address: its pinned row (and its one anycast cell).
        labels: { target: 'web', scope: 'probe_region', probe_region: 'dfw', path: 'pinned' },
        inject: async () => {
          rst = await lab.injectResets('dfw', { daddr: lab.anycast, establishedOnly: false });
        },
        remove: async () => rst?.remove(),
      });
      expect(e.alert.scope).toBe('local');
      expect(e.alert.evidence.values.clean_probe_regions).toBe('fra,iad,lhr');
      record('resets in one region', e);
    }, 150_000);

    it('extra one-way delay in one direction between two regions', async () => {
      const e = await faultEpisode(lab, {
        rule: 'asymmetry',
        labels: { probe_region: 'iad', region: 'fra', kind: 'one_way' },
        inject: () => lab.addDelay('iad', 'fra', 30),
        remove: () => lab.addDelay('iad', 'fra', 0),
      });
      expect(e.alert.evidence.values.rtt_step_ms as number).toBeGreaterThan(20);
      record('one-way delay', e);
    }, 150_000);

    it('5% loss', async () => {
      // 5% loss hurts only 10-25% of the pair's measurements, so three bad ones among the newest 12 take a
      // variable while (see docs/ALERTS.md, Validation): a longer bound than the other faults, not a threshold.
      const e = await faultEpisode(
        lab,
        {
          rule: 'loss',
          // One incident for the pair (iad and fra measure each other): labelled in alphabetical order.
          labels: { probe_region: 'fra', region: 'iad' },
          inject: async () => {
            await lab.setLoss('iad', 'fra', 0.05);
            await lab.setLoss('fra', 'iad', 0.05);
          },
          remove: async () => {
            await lab.setLoss('iad', 'fra', 0);
            await lab.setLoss('fra', 'iad', 0);
          },
        },
        { fireMs: 90_000, resolveMs: 90_000 },
      );
      record('5% loss', e);
    }, 200_000);

    it('target restart without deploy', async () => {
      const e = await faultEpisode(lab, {
        rule: 'restart',
        labels: { target: 'web', region: 'fra', machine: lab.machineId('fra') },
        inject: () => lab.restartTarget('fra'),
        remove: async () => undefined,
      });
      expect(e.alert.evidence.values.image_ref).toMatch(/lab-target/);
      record('target restart', e);
    }, 150_000);
  },
);
