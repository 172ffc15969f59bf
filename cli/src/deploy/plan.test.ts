import { describe, expect, it } from 'vitest';
import { probeMachineConfig, withIdentity } from '../fly/probe-machine-config.ts';
import type { Machine, MachineConfig } from '../fly/types.ts';
import { configDrift, updatedConfig } from './drift.ts';
import { foreignLine } from './ownership.ts';
import {
  computeDeployPlan,
  computeDestroyPlan,
  countActions,
  planChangesNothing,
  resolveImage,
} from './plan.ts';

const wanted = (image = 'img:1', extra: Partial<Parameters<typeof probeMachineConfig>[0]> = {}) =>
  probeMachineConfig({ image, collectorUrl: 'http://flyprobe-collector.internal:8080', ...extra });

let seq = 0;
/** A Machine flyprobe created earlier with the wanted config (and its own identity) unless overridden. */
function machine(region: string, config: MachineConfig = wanted(), extra: Partial<Machine> = {}): Machine {
  seq++;
  return {
    id: `m${String(seq).padStart(13, '0')}`,
    name: `probe-${region}-${seq}`,
    state: 'started',
    region,
    instance_id: `I${seq}`,
    private_ip: 'fdaa::2',
    config: withIdentity(config, {
      probeId: `${region}-00000${seq % 10}`,
      token: { id: `tok${seq}`, secret: `s${seq}` },
    }),
    host_status: 'ok',
    checks: [{ name: 'healthz', status: 'passing' }],
    created_at: `2026-01-01T00:00:${String(seq).padStart(2, '0')}Z`,
    ...extra,
  };
}
const flyDeployMachine = (region: string): Machine =>
  machine(region, { image: 'app:1', metadata: { fly_platform_version: 'v2', fly_process_group: 'app' } });

const plan = (machines: Machine[], regions: string[], config = wanted(), perRegion = 1) =>
  computeDeployPlan({ app: 'a', machines, everyMachine: machines, regions, perRegion, config });
const kinds = (p: ReturnType<typeof plan>) => p.actions.map((a) => `${a.region}:${a.kind}`);

describe('computeDeployPlan', () => {
  it('creates one Machine per requested region in an empty app', () => {
    const p = plan([], ['iad', 'fra', 'syd']);
    expect(kinds(p)).toEqual(['iad:create', 'fra:create', 'syd:create']);
    expect(planChangesNothing(p)).toBe(false);
  });

  it('keeps converged Machines: per-Machine env (probe id, token) is not drift', () => {
    const p = plan([machine('iad'), machine('fra')], ['iad', 'fra']);
    expect(kinds(p)).toEqual(['iad:keep', 'fra:keep']);
    expect(planChangesNothing(p)).toBe(true);
  });

  it('updates in place on env, guest, services or image drift and names what differs', () => {
    const env = machine('iad', wanted('img:1', { env: { FLYPROBE_CONFIG: 'old' } }));
    const guest = machine('fra', { ...wanted(), guest: { cpu_kind: 'shared', cpus: 2, memory_mb: 512 } });
    const pub = machine('syd', wanted('img:1', { public: true }));
    const image = machine('nrt', wanted('img:0'));
    const p = plan([env, guest, pub, image], ['iad', 'fra', 'syd', 'nrt']);
    expect(p.actions.map((a) => [a.region, a.kind, a.kind === 'update' ? a.reason : ''])).toEqual([
      ['iad', 'update', 'env.FLYPROBE_CONFIG differ'],
      ['fra', 'update', 'guest differ'],
      ['syd', 'update', 'services differ'],
      ['nrt', 'update', 'image differ'],
    ]);
  });

  it('restarts a stopped Machine or one with a critical check; replaces failed or unreachable ones', () => {
    const critical = machine('iad', wanted(), { checks: [{ name: 'healthz', status: 'critical' }] });
    const stopped = machine('fra', wanted(), { state: 'stopped' });
    const failed = machine('syd', wanted(), { state: 'failed' });
    const { config, ...rest } = machine('nrt');
    const unreachable: Machine = { ...rest, host_status: 'unreachable', incomplete_config: config };
    const p = plan([critical, stopped, failed, unreachable], ['iad', 'fra', 'syd', 'nrt']);
    expect(
      p.actions.map((a) => [a.region, a.kind, a.kind === 'keep' || a.kind === 'create' ? '' : a.reason]),
    ).toEqual([
      ['iad', 'restart', 'check healthz critical'],
      ['fra', 'restart', 'machine stopped'],
      ['syd', 'replace', 'machine failed'],
      ['nrt', 'replace', 'host unreachable'],
    ]);
    // The unreachable Machine's ownership and token come from incomplete_config.
    expect(p.actions[3]).toMatchObject({ machine: { tokenId: expect.stringMatching(/^tok/) } });
  });

  it('destroys the surplus, keeping the healthiest; destroys flyprobe Machines in regions not requested', () => {
    const drifted = machine('iad', wanted('img:0'));
    const good = machine('iad');
    const p = plan([drifted, good, machine('ord')], ['iad']);
    expect(p.actions).toEqual([
      expect.objectContaining({ kind: 'keep', machine: expect.objectContaining({ id: good.id }) }),
      expect.objectContaining({ kind: 'destroy', machine: expect.objectContaining({ id: drifted.id }) }),
      expect.objectContaining({ kind: 'destroy', region: 'ord', reason: 'region not requested' }),
    ]);
    expect(countActions(p)).toEqual({ create: 0, keep: 1, update: 0, restart: 0, replace: 0, destroy: 2 });
  });

  it('never plans anything for Machines without the marker or from fly deploy, even if the list was not filtered', () => {
    const handMade = machine('iad', { image: 'nginx' });
    const deployed = flyDeployMachine('iad');
    // Carries flyprobe's marker but fly deploy's too (e.g. copied by `fly machine clone`): not flyprobe's.
    const both = machine('iad', {
      ...wanted(),
      metadata: { flyprobe_role: 'probe', fly_platform_version: 'v2' },
    });
    const ours = machine('iad');
    const p = plan([handMade, deployed, both, ours], ['iad', 'fra']);
    expect(kinds(p)).toEqual(['iad:keep', 'fra:create']);
    expect(p.foreign).toEqual([{ region: 'iad', count: 3, flyDeploy: 2 }]);
    expect(foreignLine(p.foreign[0]!)).toBe(
      'not managed by flyprobe: 3 in iad (2 from fly deploy); left untouched',
    );
    // Not requested regions: only flyprobe's Machines are destroyed.
    expect(kinds(plan([handMade, deployed, ours], ['fra']))).toEqual(['fra:create', 'iad:destroy']);
  });

  it('ignores Machines already being destroyed and duplicate region arguments', () => {
    const p = plan(
      [machine('iad', wanted(), { state: 'destroyed' }), machine('fra', wanted(), { state: 'destroying' })],
      ['iad', 'iad'],
    );
    expect(kinds(p)).toEqual(['iad:create']);
  });
});

describe('configDrift / updatedConfig', () => {
  it('an update sends the full config: wanted sections, the Machine identity and its other metadata kept', () => {
    const current = machine('iad', wanted('img:0'));
    current.config!.metadata = { ...current.config!.metadata, note: 'kept' };
    current.config!.mounts = [{ volume: 'vol_1', path: '/data' }];
    const next = updatedConfig(wanted('img:1'), current.config!);
    expect(next.image).toBe('img:1');
    expect(next.env?.FLYPROBE_PROBE_ID).toBe(current.config!.env?.FLYPROBE_PROBE_ID);
    expect(next.env?.FLYPROBE_TOKEN).toBe(current.config!.env?.FLYPROBE_TOKEN);
    expect(next.metadata).toMatchObject({
      note: 'kept',
      flyprobe_role: 'probe',
      flyprobe_token_id: expect.any(String),
    });
    expect(next.mounts).toEqual([{ volume: 'vol_1', path: '/data' }]);
    expect(configDrift(wanted('img:1'), next)).toEqual([]);
  });

  it('dropping --public removes the services', () => {
    const current = withIdentity(wanted('img:1', { public: true }), { probeId: 'iad-000001' });
    expect(configDrift(wanted(), current)).toEqual(['services']);
    expect(updatedConfig(wanted(), current).services).toBeUndefined();
  });
});

describe('resolveImage', () => {
  it("prefers the flag, else the newest flyprobe Machine's image, never a foreign Machine's", () => {
    const a = machine('iad', wanted('img:old'), { updated_at: '2026-01-01T00:00:00Z' });
    const b = machine('fra', wanted('img:new'), { updated_at: '2026-02-01T00:00:00Z' });
    const foreign = { ...flyDeployMachine('syd'), updated_at: '2026-03-01T00:00:00Z' };
    expect(resolveImage('img:flag', [a, b])).toBe('img:flag');
    expect(resolveImage(undefined, [a, b, foreign])).toBe('img:new');
    expect(resolveImage(undefined, [foreign])).toBeUndefined();
  });
});

describe('computeDestroyPlan', () => {
  it("destroys flyprobe's live Machines in the given regions only, and counts the others", () => {
    const machines = [
      machine('iad'),
      machine('fra'),
      machine('fra'),
      flyDeployMachine('fra'),
      machine('syd', wanted(), { state: 'destroyed' }),
    ];
    const p = computeDestroyPlan({ app: 'a', machines, everyMachine: machines, regions: ['fra', 'syd'] });
    expect(p.actions.map((a) => `${a.region}:${a.kind}`)).toEqual(['fra:destroy', 'fra:destroy']);
    expect(p.foreign).toEqual([{ region: 'fra', count: 1, flyDeploy: 1 }]);
  });
});
