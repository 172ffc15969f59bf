import { describe, expect, it } from 'vitest';
import type { Machine } from '../fly/types.ts';
import {
  computeDeployPlan,
  computeDestroyPlan,
  countActions,
  planChangesNothing,
  resolveImage,
} from './plan.ts';

let seq = 0;
function machine(region: string, image: string, extra: Partial<Machine> = {}): Machine {
  seq++;
  return {
    id: `m${String(seq).padStart(13, '0')}`,
    name: `probe-${region}-${seq}`,
    state: 'started',
    region,
    instance_id: `I${seq}`,
    private_ip: 'fdaa::2',
    config: { image },
    created_at: `2026-01-01T00:00:${String(seq).padStart(2, '0')}Z`,
    ...extra,
  };
}

const kinds = (p: ReturnType<typeof computeDeployPlan>) => p.actions.map((a) => `${a.region}:${a.kind}`);

describe('computeDeployPlan', () => {
  it('creates one Machine per requested region in an empty app', () => {
    const plan = computeDeployPlan({
      app: 'a',
      machines: [],
      regions: ['iad', 'fra', 'syd'],
      perRegion: 1,
      image: 'img:1',
    });
    expect(kinds(plan)).toEqual(['iad:create', 'fra:create', 'syd:create']);
    expect(planChangesNothing(plan)).toBe(false);
  });

  it('keeps Machines already on the image: a converged app plans nothing', () => {
    const machines = [machine('iad', 'img:1'), machine('fra', 'img:1')];
    const plan = computeDeployPlan({
      app: 'a',
      machines,
      regions: ['iad', 'fra'],
      perRegion: 1,
      image: 'img:1',
    });
    expect(kinds(plan)).toEqual(['iad:keep', 'fra:keep']);
    expect(planChangesNothing(plan)).toBe(true);
  });

  it('replaces Machines on another image and failed ones', () => {
    const old = machine('iad', 'img:0');
    const failed = machine('fra', 'img:1', { state: 'failed' });
    const plan = computeDeployPlan({
      app: 'a',
      machines: [old, failed],
      regions: ['iad', 'fra'],
      perRegion: 1,
      image: 'img:1',
    });
    expect(plan.actions).toEqual([
      expect.objectContaining({
        kind: 'replace',
        region: 'iad',
        machine: expect.objectContaining({ id: old.id }),
      }),
      expect.objectContaining({ kind: 'replace', region: 'fra', reason: 'machine failed' }),
    ]);
  });

  it('destroys the surplus, preferring to keep Machines already on the image', () => {
    const stale = machine('iad', 'img:0');
    const good = machine('iad', 'img:1');
    const plan = computeDeployPlan({
      app: 'a',
      machines: [stale, good],
      regions: ['iad'],
      perRegion: 1,
      image: 'img:1',
    });
    expect(plan.actions).toEqual([
      expect.objectContaining({ kind: 'keep', machine: expect.objectContaining({ id: good.id }) }),
      expect.objectContaining({ kind: 'destroy', machine: expect.objectContaining({ id: stale.id }) }),
    ]);
  });

  it('tops up to --per-region and destroys regions no longer requested', () => {
    const machines = [machine('iad', 'img:1'), machine('ord', 'img:1')];
    const plan = computeDeployPlan({ app: 'a', machines, regions: ['iad'], perRegion: 2, image: 'img:1' });
    expect(kinds(plan)).toEqual(['iad:keep', 'iad:create', 'ord:destroy']);
    expect(plan.actions[2]).toMatchObject({ reason: 'region not requested' });
    expect(countActions(plan)).toEqual({ create: 1, keep: 1, replace: 0, destroy: 1 });
  });

  it('ignores Machines already being destroyed and duplicate region arguments', () => {
    const machines = [
      machine('iad', 'img:1', { state: 'destroyed' }),
      machine('fra', 'img:1', { state: 'destroying' }),
    ];
    const plan = computeDeployPlan({
      app: 'a',
      machines,
      regions: ['iad', 'iad'],
      perRegion: 1,
      image: 'img:1',
    });
    expect(kinds(plan)).toEqual(['iad:create']);
  });
});

describe('resolveImage', () => {
  it('prefers the flag, else the most recently updated live Machine', () => {
    const a = machine('iad', 'img:old', { updated_at: '2026-01-01T00:00:00Z' });
    const b = machine('fra', 'img:new', { updated_at: '2026-02-01T00:00:00Z' });
    expect(resolveImage('img:flag', [a, b])).toBe('img:flag');
    expect(resolveImage(undefined, [a, b])).toBe('img:new');
    expect(resolveImage(undefined, [])).toBeUndefined();
  });
});

describe('computeDestroyPlan', () => {
  it('destroys every live Machine in the given regions only', () => {
    const machines = [
      machine('iad', 'i'),
      machine('fra', 'i'),
      machine('fra', 'i'),
      machine('syd', 'i', { state: 'destroyed' }),
    ];
    const plan = computeDestroyPlan({ app: 'a', machines, regions: ['fra', 'syd'] });
    expect(plan.actions.map((a) => `${a.region}:${a.kind}`)).toEqual(['fra:destroy', 'fra:destroy']);
  });
});
