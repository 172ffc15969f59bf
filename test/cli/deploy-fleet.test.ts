import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMachine } from '../fake-machines/machine-shapes.ts';
import { type FakeMachines, startFakeMachines } from '../fake-machines/server.ts';
import { ADMIN_TOKEN, startTestCollector, type TestCollector } from './testing/collector.ts';
import { runMain } from './testing/run-main.ts';

const FLY_TOKEN = 'fm2_lJPECAAAAAAAAMjA';
const APPS = ['shared', 'unfiltered', 'leased', 'drift', 'health', 'tokens', 'public'];
const OURS = { flyprobe_role: 'probe' };

/** The Machines `fly deploy -c fly.probe.toml` and a person leave in a probe app: flyprobe must not touch them. */
function seedForeign(fake: FakeMachines, app: string): FakeMachine[] {
  return [
    fake.seed(app, {
      region: 'iad',
      image: 'registry.fly.io/shared:deployment-01',
      name: 'app-iad',
      metadata: {
        fly_platform_version: 'v2',
        fly_process_group: 'app',
        fly_release_id: 'rel_1',
        fly_release_version: '3',
      },
      config: {
        services: [
          { protocol: 'tcp', internal_port: 8080, ports: [{ port: 443, handlers: ['tls', 'http'] }] },
        ],
      },
    }),
    fake.seed(app, {
      region: 'iad',
      image: 'nginx:1',
      name: 'by-hand',
      env: { NOTE: 'made in the dashboard' },
    }),
    fake.seed(app, {
      region: 'fra',
      image: 'postgres:16',
      name: 'db',
      config: { mounts: [{ volume: 'vol_x', path: '/data' }] },
    }),
  ];
}

// In process (runMain, the binary's own entry): deploy-fleet runs two dozen commands, a process each would add a minute.
describe('deploy / destroy: ownership, leases, health, drift and probe tokens', { timeout: 120_000 }, () => {
  let fake: FakeMachines;
  let collector: TestCollector;

  beforeAll(async () => {
    // Rate limiting has its own tests (deploy.test.ts): loose limits here keep this file quick.
    fake = await startFakeMachines({
      token: FLY_TOKEN,
      apps: APPS,
      owner: 'flyprobe-ci@example.com',
      rateLimit: { perSecond: 20, burst: 20 },
    });
    collector = await startTestCollector();
  });
  afterAll(async () => {
    await fake?.close();
    await collector?.stop();
  });

  // A macaroon as `fly tokens create deploy` prints it, and the fly-go base-URL variable.
  const env = {
    FLY_API_TOKEN: `FlyV1 ${FLY_TOKEN}`,
    FLY_FLAPS_BASE_URL: '',
    FLYPROBE_COLLECTOR_URL: '',
    FLYPROBE_ADMIN_TOKEN: ADMIN_TOKEN,
  };
  const run = (args: string[]) =>
    runMain(args, { ...env, FLY_FLAPS_BASE_URL: fake.url, FLYPROBE_COLLECTOR_URL: collector.url });
  const deploy = (app: string, regions: string, ...extra: string[]) =>
    run(['deploy', '--app', app, '--regions', regions, '--image', 'reg/probe:1', '--no-confirm', ...extra]);
  const touching = (ids: string[]) =>
    fake.requests.filter((r) => ids.some((id) => r.path.includes(id))).map((r) => `${r.method} ${r.path}`);
  const snapshot = (ms: FakeMachine[]) => structuredClone(ms.map(({ events: _e, checks: _c, ...m }) => m));

  it('deploy and destroy leave Machines from fly deploy and hand-made ones untouched, and say so', async () => {
    const foreign = seedForeign(fake, 'shared');
    const before = snapshot(foreign);
    const ids = foreign.map((m) => m.id);

    const up = await deploy('shared', 'iad,fra,syd');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('not managed by flyprobe: 2 in iad (1 from fly deploy); left untouched');
    expect(up.stdout).toContain('not managed by flyprobe: 1 in fra; left untouched');
    expect(up.stdout).toContain('3 created, 0 updated, 0 restarted, 0 replaced, 0 destroyed, 0 kept');
    // A second deploy to fewer regions destroys only flyprobe's Machine in the dropped region.
    const down = await deploy('shared', 'iad,syd', '--json');
    expect(down.code, down.stderr).toBe(0);
    const out = JSON.parse(down.stdout) as {
      results: { region: string; action: string }[];
      foreign: unknown[];
    };
    expect(out.results.map((r) => `${r.region}:${r.action}`).sort()).toEqual([
      'fra:destroy',
      'iad:keep',
      'syd:keep',
    ]);
    expect(out.foreign).toEqual([
      { region: 'fra', count: 1, flyDeploy: 0 },
      { region: 'iad', count: 2, flyDeploy: 1 },
    ]);

    const gone = await run(['destroy', '--app', 'shared', '--regions', 'iad,fra,syd']);
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stdout).toContain('not managed by flyprobe: 2 in iad (1 from fly deploy); left untouched');
    const live = fake.machines('shared').filter((m) => m.state !== 'destroyed');
    expect(live.map((m) => m.id).sort()).toEqual([...ids].sort());
    expect(snapshot(live.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id)))).toEqual(before);
    // Not one request named a foreign Machine: no lease, update, stop or delete was even tried.
    expect(touching(ids)).toEqual([]);
  });

  it('the planner re-checks the marker when the API ignores the metadata filter', async () => {
    const foreign = seedForeign(fake, 'unfiltered');
    fake.knobs.ignoreMetadataFilter = true;
    try {
      const r = await deploy('unfiltered', 'syd');
      expect(r.code, r.stderr).toBe(0);
      const gone = await run(['destroy', '--app', 'unfiltered', '--regions', 'iad,fra,syd']);
      expect(gone.code, gone.stderr).toBe(0);
    } finally {
      fake.knobs.ignoreMetadataFilter = false;
    }
    expect(foreign.map((m) => m.state)).toEqual(['started', 'started', 'started']);
    expect(touching(foreign.map((m) => m.id))).toEqual([]);
  });

  it('changes a Machine only under its lease, passing the nonce, and releases it', async () => {
    const a = await deploy('drift', 'ams');
    expect(a.code, a.stderr).toBe(0);
    const [m] = fake.machines('drift');
    const b = await deploy(
      'drift',
      'ams',
      '--probe-collector-url',
      'http://flyprobe-collector.internal:8080',
    );
    expect(b.code, b.stderr).toBe(0);
    const calls = fake.requests.filter((r) => r.path.includes(m!.id) && r.method !== 'GET');
    expect(calls.map((r) => `${r.method} ${r.path.replace(m!.id, 'ID')} ${r.status}`)).toEqual([
      'POST /v1/apps/drift/machines/ID/lease 200',
      'POST /v1/apps/drift/machines/ID 200',
      'DELETE /v1/apps/drift/machines/ID/lease 200',
    ]);
    const nonce = calls[1]?.nonce;
    expect(nonce).toMatch(/^[0-9a-f]{16}$/);
    expect(calls[2]?.nonce).toBe(nonce);
    expect(fake.lease(m!.id)).toBeUndefined();
  });

  it('applies env drift as an in-place update, keeps the Machine identity, and then changes nothing', async () => {
    const [m] = fake.machines('drift');
    expect(m!.config?.env?.FLYPROBE_COLLECTOR_URL).toBe('http://flyprobe-collector.internal:8080');
    const again = await deploy(
      'drift',
      'ams',
      '--probe-collector-url',
      'http://flyprobe-collector.internal:8080',
      '--json',
    );
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ changes: false, plan: [{ kind: 'keep' }] });
    const update = await deploy(
      'drift',
      'ams',
      '--probe-collector-url',
      'http://other.internal:8080',
      '--dry-run',
    );
    expect(update.stdout).toMatch(
      /ams\s+update\s+\S+\s+started\s+reg\/probe:1\s+env\.FLYPROBE_COLLECTOR_URL differ/,
    );
    expect(fake.machines('drift')).toHaveLength(1);
  });

  it('reports a lease held by someone else as an error naming the holder and changes nothing there', async () => {
    expect((await deploy('leased', 'lhr,cdg')).code).toBe(0);
    const [lhr, cdg] = fake.machines('leased');
    fake.holdLease(lhr!.id, 'alice@example.com');
    const before = structuredClone(lhr!.config);
    const r = await deploy('leased', 'lhr,cdg', '--probe-collector-url', 'http://new.internal:8080');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(
        `lhr\\s+update\\s+${lhr!.id}\\s+error\\s+update failed: Machine ${lhr!.id} is leased by alice@example\\.com until `,
      ),
    );
    expect(r.stdout).toMatch(new RegExp(`cdg\\s+update\\s+${cdg!.id}\\s+ok\\s+updated in place; started`));
    expect(lhr!.config).toEqual(before);
    expect(fake.lease(lhr!.id)?.owner).toBe('alice@example.com');
  });

  it('restarts a Machine with a critical check and one someone stopped; a second run changes nothing', async () => {
    expect((await deploy('health', 'arn,bom')).code).toBe(0);
    const [arn, bom] = fake.machines('health');
    arn!.checks = [{ name: 'healthz', status: 'critical', output: 'connect refused', updated_at: '' }];
    bom!.state = 'stopped';
    const r = await deploy('health', 'arn,bom');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/arn\s+restart\s+\S+\s+started\s+reg\/probe:1\s+check healthz critical/);
    expect(r.stdout).toMatch(/bom\s+restart\s+\S+\s+stopped\s+reg\/probe:1\s+machine stopped/);
    expect(fake.requests.some((q) => q.path === `/v1/apps/health/machines/${bom!.id}/start` && q.nonce)).toBe(
      true,
    );
    expect([arn!.state, bom!.state]).toEqual(['started', 'started']);
    const again = await deploy('health', 'arn,bom', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ changes: false });
  });

  it('mints one bound token per Machine before creating it and revokes it on destroy', async () => {
    const r = await deploy('tokens', 'gru,jnb');
    expect(r.code, r.stderr).toBe(0);
    const machines = fake.machines('tokens');
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    type Listed = { tokens: { id: string; role: string; probeId: string; app: string; region: string }[] };
    const live = async () => {
      const res = await request(`${collector.url}/v1/tokens`, { headers: admin });
      return ((await res.body.json()) as Listed).tokens.filter((t) => t.app === 'tokens');
    };
    expect(await live()).toHaveLength(2);
    for (const m of machines) {
      const env = m.config!.env!;
      expect(env.FLYPROBE_PROBE_ID).toMatch(new RegExp(`^${m.region}-[0-9a-f]{6}$`));
      expect(env.FLYPROBE_TOKEN).toMatch(/\S{20,}/);
      const token = (await live()).find((t) => t.id === m.config!.metadata!.flyprobe_token_id);
      expect(token).toMatchObject({
        role: 'probe',
        app: 'tokens',
        region: m.region,
        probeId: env.FLYPROBE_PROBE_ID,
      });
      expect(m.config!.metadata).toEqual({
        ...OURS,
        flyprobe_probe_id: env.FLYPROBE_PROBE_ID,
        flyprobe_token_id: token!.id,
      });
      expect(m.name).toBe(`probe-${env.FLYPROBE_PROBE_ID}`);
    }
    const gru = machines.find((m) => m.region === 'gru')!;
    const jnb = machines.find((m) => m.region === 'jnb')!;
    const d = await run(['destroy', '--app', 'tokens', '--regions', 'gru']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain(`destroyed; token ${gru.config!.metadata!.flyprobe_token_id} revoked`);
    expect((await live()).map((t) => t.id)).toEqual([jnb.config!.metadata!.flyprobe_token_id]);
    const noCollector = await runMain(['destroy', '--app', 'tokens', '--regions', 'jnb'], {
      FLY_API_TOKEN: FLY_TOKEN,
      FLY_FLAPS_BASE_URL: fake.url,
    });
    expect(noCollector.code).toBe(2);
    expect(noCollector.stderr).toContain('these Machines carry probe tokens');
    // A token revoked earlier (a run that stopped half-way) is not an error the second time.
    const jnbToken = jnb.config!.metadata!.flyprobe_token_id!;
    const early = await request(`${collector.url}/v1/tokens/${jnbToken}`, {
      method: 'DELETE',
      headers: admin,
    });
    expect(early.statusCode).toBe(204);
    await early.body.dump();
    const rerun = await run(['destroy', '--app', 'tokens', '--regions', 'jnb']);
    expect(rerun.code, rerun.stdout).toBe(0);
    expect(rerun.stdout).toContain(`destroyed; token ${jnbToken} revoked`);
  });

  it('publishes the echo services only with --public, and dropping it is an update', async () => {
    expect((await deploy('public', 'sin', '--public')).code).toBe(0);
    const [m] = fake.machines('public');
    expect((m!.config!.services as unknown[]).length).toBe(3);
    const r = await deploy('public', 'sin');
    expect(r.stdout).toMatch(/sin\s+update\s+\S+\s+started\s+reg\/probe:1\s+services differ/);
    expect(m!.config!.services).toBeUndefined();
  });
});
