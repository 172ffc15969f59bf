import { describe, expect, it } from 'vitest';
import { formatScore, type InjectedFault, matches, type ScoredAlert, scoreCampaign } from './scorer.ts';

const I = 2000;
const T = 1_000_000;

const fault = (over: Partial<InjectedFault> & Pick<InjectedFault, 'id' | 'faultClass'>): InjectedFault => ({
  description: '',
  injectedAt: T,
  removedAt: T + 20 * I,
  expect: [],
  allow: [],
  ...over,
});
const alert = (over: Partial<ScoredAlert> & Pick<ScoredAlert, 'id' | 'rule'>): ScoredAlert => ({
  labels: {},
  firedAt: null,
  resolvedAt: null,
  ...over,
});
const options = { intervalMs: I, from: T - 100 * I, to: T + 300 * I, graceMs: 10 * I };

describe('campaign scorer', () => {
  it('matches labels exactly, or any of a list', () => {
    const a = { rule: 'resets', labels: { scope: 'pair', region: 'iad' } };
    expect(matches(a, { rule: 'resets', labels: { region: ['fra', 'iad'] } })).toBe(true);
    expect(matches(a, { rule: 'resets', labels: { probe_region: 'iad' } })).toBe(false);
    expect(matches(a, { rule: 'loss' })).toBe(false);
  });

  it('scores recall, labels, latency and resolution per class', () => {
    const faults = [
      fault({ id: 1, faultClass: 'resets', expect: [{ rule: 'resets', labels: { region: 'iad' } }] }),
      fault({
        id: 2,
        faultClass: 'resets',
        injectedAt: T + 100 * I,
        removedAt: T + 120 * I,
        expect: [{ rule: 'resets', labels: { region: 'fra' } }],
      }),
      fault({
        id: 3,
        faultClass: 'loss',
        injectedAt: T + 200 * I,
        removedAt: T + 220 * I,
        expect: [{ rule: 'loss' }],
      }),
    ];
    const alerts = [
      alert({
        id: 'a',
        rule: 'resets',
        labels: { region: 'iad' },
        firedAt: T + 2 * I,
        resolvedAt: T + 23 * I,
      }),
      // The right rule with the wrong region: found, but not with the right labels, and a false alert.
      alert({
        id: 'b',
        rule: 'resets',
        labels: { region: 'lhr' },
        firedAt: T + 104 * I,
        resolvedAt: T + 121 * I,
      }),
    ];
    const s = scoreCampaign(faults, alerts, options);
    const resets = s.classes.find((c) => c.faultClass === 'resets');
    expect(resets).toMatchObject({
      faults: 2,
      detected: 1,
      ruleDetected: 2,
      recall: 0.5,
      labelAccuracy: 0.5,
      falseAlerts: 1,
      detectMedian: 2,
      resolveMedian: 3,
      unresolved: 0,
    });
    expect(s.classes.find((c) => c.faultClass === 'loss')).toMatchObject({ recall: 0, ruleDetected: 0 });
    expect(s.cleanFalseAlerts).toEqual([]);
    expect(formatScore(s)).toMatch(/resets\s+2\s+50%\s+50%\s+1\s+2\.0/);
  });

  it('counts alerts outside every fault window as false, allowed consequences as true', () => {
    const faults = [
      fault({
        id: 1,
        faultClass: 'flap',
        expect: [{ rule: 'flapping', labels: { probe_region: 'lhr' } }],
        allow: [{ rule: 'resets', labels: { probe_region: 'lhr' } }],
      }),
    ];
    const alerts = [
      alert({ id: 'f', rule: 'flapping', labels: { probe_region: 'lhr' }, firedAt: T + 7 * I }),
      alert({ id: 'r', rule: 'resets', labels: { probe_region: 'lhr' }, firedAt: T + 5 * I }),
      alert({ id: 'x', rule: 'latency', labels: {}, firedAt: T + 200 * I }),
    ];
    const s = scoreCampaign(faults, alerts, options);
    expect(s.classes[0]).toMatchObject({ recall: 1, falseAlerts: 0, detectMedian: 7, unresolved: 1 });
    expect(s.cleanFalseAlerts.map((a) => a.id)).toEqual(['x']);
    // 400 intervals of campaign minus the fault's 30 (20 + grace 10).
    expect(s.cleanIntervals).toBe(370);
  });

  it('scores a fault that must raise nothing by the absence of unexplained alerts', () => {
    const faults = [fault({ id: 1, faultClass: 'collector_outage' })];
    expect(scoreCampaign(faults, [], options).classes[0]).toMatchObject({ recall: 1, falseAlerts: 0 });
    const noisy = [alert({ id: 'n', rule: 'restart', firedAt: T + 3 * I })];
    expect(scoreCampaign(faults, noisy, options).classes[0]).toMatchObject({ recall: 0, falseAlerts: 1 });
  });
});
