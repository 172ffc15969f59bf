import { describe, expect, it } from 'vitest';
import { LAB_NAME_PATTERN, planLab } from './plan.ts';

describe('planLab', () => {
  const plan = planLab({
    regions: ['iad', 'dfw', 'fra', 'lhr'],
    targetRegions: ['iad', 'fra'],
    runId: 'ab12',
  });

  it('gives every region a machine and an edge endpoint, plus collector and host, with unique names and addresses', () => {
    expect(plan.endpoints.map((e) => e.name)).toEqual([
      'iad',
      'iad-e',
      'dfw',
      'dfw-e',
      'fra',
      'fra-e',
      'lhr',
      'lhr-e',
      'col',
      'host',
    ]);
    const addresses = plan.endpoints.flatMap((e) => [e.address, ...e.extraAddresses]);
    expect(new Set(addresses).size).toBe(addresses.length);
    expect(new Set(plan.endpoints.map((e) => e.ifname)).size).toBe(plan.endpoints.length);
    for (const e of plan.endpoints) expect(e.ifname.length).toBeLessThanOrEqual(15);
  });

  it('names namespaces with the run prefix the stale sweep recognises, and keeps addresses in the run /48', () => {
    for (const e of plan.endpoints.filter((x) => x.netns)) {
      expect(LAB_NAME_PATTERN.exec(e.netns as string)?.[1]).toBe('ab12');
      expect(e.address.startsWith('fdaa:0:ab12:')).toBe(true);
    }
    expect(plan.endpoints.find((e) => e.kind === 'host')?.netns).toBeNull();
    expect(plan.anycast.startsWith('fdaa:0:ab12:')).toBe(true);
  });

  it('writes addresses in canonical IPv6 text when the run id has a leading zero', () => {
    const p = planLab({ regions: ['iad', 'dfw', 'fra', 'lhr'], targetRegions: ['iad'], runId: '0ccc' });
    expect(p.endpoints[0]?.address).toBe('fdaa:0:ccc:a7b:1::2');
  });

  it('rejects bad region choices with the field named', () => {
    expect(() => planLab({ regions: ['iad', 'fra', 'lhr'], targetRegions: ['iad'] })).toThrow(
      /regions: .*4 to 18/,
    );
    expect(() => planLab({ regions: ['iad', 'fra', 'lhr', 'xyz'], targetRegions: ['iad'] })).toThrow(
      /regions: unknown region "xyz"/,
    );
    expect(() => planLab({ regions: ['iad', 'fra', 'lhr', 'dfw'], targetRegions: ['syd'] })).toThrow(
      /targetRegions: "syd"/,
    );
    expect(() => planLab({ regions: ['iad', 'fra', 'lhr', 'dfw'], targetRegions: [] })).toThrow(
      /targetRegions/,
    );
    expect(() =>
      planLab({ regions: ['iad', 'fra', 'lhr', 'dfw'], targetRegions: ['iad'], runId: 'XYZ' }),
    ).toThrow(/runId/);
  });
});
