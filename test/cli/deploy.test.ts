import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeMachines, startFakeMachines } from '../fake-machines/server.ts';
import {
  ADMIN_TOKEN,
  ingestBatch,
  postJson,
  startTestCollector,
  type TestCollector,
} from './testing/collector.ts';
import { runCli } from './testing/run-cli.ts';
import { runMain } from './testing/run-main.ts';

const FLY_TOKEN = 'fly-test-token';
const APPS = ['probes', 'replace', 'misplaced', 'failing', 'limited', 'gone', 'empty', 'unconfirmed'];

describe('flyprobe deploy / destroy against the fake Machines API', { timeout: 120_000 }, () => {
  let fake: FakeMachines;
  let collector: TestCollector;
  let probeToken = '';
  const heartbeats: Promise<unknown>[] = [];

  beforeAll(async () => {
    // One token speaks for every fake Machine's probe: lab mode (unbound probe tokens).
    collector = await startTestCollector({ FLYPROBE_ALLOW_UNBOUND_PROBES: '1' });
    const created = await postJson(`${collector.url}/v1/tokens`, ADMIN_TOKEN, { role: 'probe' });
    probeToken = (created.json as { secret: string }).secret;
    // A started Machine runs a probe that reports its Machine id and region: send that heartbeat.
    fake = await startFakeMachines({
      token: FLY_TOKEN,
      apps: APPS,
      onStarted: (app, m) => {
        // In app "unconfirmed": the cdg probe never reports, the lhr probe claims to be in ams.
        if (app === 'unconfirmed' && m.region === 'cdg') return;
        const region = app === 'unconfirmed' && m.region === 'lhr' ? 'ams' : m.region;
        heartbeats.push(postJson(`${collector.url}/v1/ingest`, probeToken, ingestBatch(region, m.id)));
      },
    });
  });
  afterAll(async () => {
    await Promise.all(heartbeats);
    await fake?.close();
    await collector?.stop();
  });

  const env = (extra: Record<string, string> = {}) => ({
    FLY_API_TOKEN: FLY_TOKEN,
    FLY_API_HOSTNAME: fake.url,
    ...extra,
  });
  // Probes here share the test collector's probe token (the lab mode); per-Machine tokens: deploy-fleet.test.ts.
  const SHARED = '--shared-probe-token';
  const deployArgs = (app: string, regions: string, ...flags: string[]) => [
    'deploy',
    '--app',
    app,
    '--regions',
    regions,
    ...flags,
  ];
  const OURS = { flyprobe_role: 'probe' };
  const writes = () => fake.requests.filter((r) => r.method === 'POST' || r.method === 'DELETE').length;

  it('--dry-run prints the plan for an empty app and changes nothing', async () => {
    const before = fake.requests.length;
    const r = await runCli(
      deployArgs('probes', 'iad,fra,syd', '--image', 'reg/probe:1', '--dry-run', SHARED),
      env(),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^REGION\s+ACTION\s+MACHINE\s+STATE\s+IMAGE\s+NOTE$/);
    expect(lines.slice(1, 4).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'iad create',
      'fra create',
      'syd create',
    ]);
    expect(r.stdout).toContain('dry run: nothing changed');
    expect(fake.requests.slice(before).map((q) => `${q.method} ${q.path}?${q.query}`)).toEqual([
      'GET /v1/platform/regions?',
      'GET /v1/apps/probes/machines?metadata.flyprobe_role=probe',
      'GET /v1/apps/probes/machines?',
    ]);
    expect(fake.machines('probes')).toEqual([]);
  });

  it('deploys, confirms each region by heartbeat, and a second run changes nothing', async () => {
    const args = ['deploy', '--app', 'probes', '--regions', 'iad,fra,syd', '--image', 'reg/probe:1', SHARED];
    const first = await runCli(
      args,
      env({ FLYPROBE_COLLECTOR_URL: collector.url, FLYPROBE_TOKEN: ADMIN_TOKEN }),
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(
      '3 created, 0 updated, 0 restarted, 0 replaced, 0 destroyed, 0 kept; 3/3 Machines confirmed by heartbeat',
    );
    const machines = fake.machines('probes');
    expect(machines.map((m) => [m.region, m.state, m.config?.image]).sort()).toEqual([
      ['fra', 'started', 'reg/probe:1'],
      ['iad', 'started', 'reg/probe:1'],
      ['syd', 'started', 'reg/probe:1'],
    ]);
    // The documented create shape: region, name, config with guest, env, checks, metrics, restart and
    // flyprobe's marker; private by default: no services (no public IPs), the check runs on 9091 over 6PN.
    const config = machines[0]!.config as Record<string, unknown>;
    expect(config.guest).toEqual({ cpu_kind: 'shared', cpus: 1, memory_mb: 256 });
    expect((config.env as Record<string, string>).FLYPROBE_COLLECTOR_URL).toBe(collector.url);
    expect(Object.keys(config)).toEqual(expect.arrayContaining(['checks', 'metrics', 'restart', 'metadata']));
    expect(config.services).toBeUndefined();
    expect(config.checks).toEqual({
      healthz: expect.objectContaining({ type: 'http', port: 9091, path: '/healthz' }),
    });
    expect(config.metadata).toEqual({
      flyprobe_role: 'probe',
      flyprobe_probe_id: expect.stringMatching(/^[a-z]{3}-[0-9a-f]{6}$/),
    });

    const writesBefore = writes();
    const second = await runCli([...args, '--json'], env({ FLYPROBE_COLLECTOR_URL: collector.url }));
    expect(second.code, second.stderr).toBe(0);
    const plan = JSON.parse(second.stdout) as { changes: boolean; plan: { kind: string; region: string }[] };
    expect(plan.changes).toBe(false);
    expect(plan.plan.map((a) => `${a.region}:${a.kind}`)).toEqual(['iad:keep', 'fra:keep', 'syd:keep']);
    expect(writes()).toBe(writesBefore);
  });

  it('fails a region whose probe never reports or reports another region', async () => {
    const r = await runCli(
      deployArgs('unconfirmed', 'lhr,cdg', '--image', 'reg/probe:1', '--confirm-timeout', '3', SHARED),
      env({ FLYPROBE_COLLECTOR_URL: collector.url, FLYPROBE_TOKEN: ADMIN_TOKEN }),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/lhr\s+create\s+(\S+)\s+error\s+started; probe ams-\1 on \1 reports region ams/);
    expect(r.stdout).toMatch(/cdg\s+create\s+(\S+)\s+error\s+started; no heartbeat from \1 within 3s/);
    expect(r.stdout).toContain('0/2 Machines confirmed by heartbeat');
  });

  it('replaces an unreachable Machine: the new one started before the old one is destroyed', async () => {
    const old = fake.seed('replace', {
      region: 'ams',
      image: 'reg/probe:1',
      metadata: OURS,
      host_status: 'unreachable',
    });
    const r = await runCli(
      ['deploy', '--app', 'replace', '--regions', 'ams', '--image', 'reg/probe:1', '--no-confirm', SHARED],
      env(),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ams\s+replace\s+\S+\s+\S+\s+reg\/probe:1\s+host unreachable/);
    expect(r.stdout).toMatch(/ams\s+replace\s+\S+\s+ok\s+started; destroyed old/);
    const live = fake.machines('replace').filter((m) => m.state !== 'destroyed');
    expect(live.map((m) => [m.region, m.config?.image, m.state])).toEqual([
      ['ams', 'reg/probe:1', 'started'],
    ]);
    expect(fake.machines('replace').find((m) => m.id === old.id)?.state).toBe('destroyed');
  });

  it('reports a Machine placed in another region than asked as an error for that region', async () => {
    fake.knobs.misplace.set('nrt', 'sin');
    const r = await runCli(
      deployArgs('misplaced', 'nrt,lhr', '--image', 'reg/probe:1', '--no-confirm', SHARED),
      env(),
    );
    fake.knobs.misplace.delete('nrt');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /nrt\s+create\s+[0-9a-f]{14}\s+error\s+Machine [0-9a-f]{14} was placed in sin, not nrt/,
    );
    expect(r.stdout).toMatch(/lhr\s+create\s+[0-9a-f]{14}\s+ok\s+started/);
  });

  it('reports a Machine that fails to start, keeps the old one, and exits non-zero', async () => {
    const old = fake.seed('failing', {
      region: 'cdg',
      image: 'reg/probe:1',
      metadata: OURS,
      state: 'failed',
    });
    fake.knobs.failStart.add('cdg');
    const r = await runCli(
      deployArgs('failing', 'cdg', '--image', 'reg/probe:2', '--wait-timeout', '1', '--no-confirm', SHARED),
      env(),
    );
    fake.knobs.failStart.delete('cdg');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/did not start within 1s \(state: failed\); kept old Machine/);
    expect(fake.machines('failing').find((m) => m.id === old.id)?.state).toBe('failed');
  });

  it('rides out 429 rate limiting with Retry-After and still converges', async () => {
    fake.setRateLimit({ perSecond: 1, burst: 1 });
    const before = fake.requests.length;
    const r = await runCli(
      deployArgs('limited', 'iad,ord,lax', '--image', 'reg/probe:1', '--no-confirm', SHARED),
      env(),
    );
    fake.setRateLimit({ perSecond: 1, burst: 3 });
    expect(r.code, r.stderr).toBe(0);
    const limited = fake.requests.slice(before).filter((q) => q.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/retrying POST \/v1\/apps\/limited\/machines in \d+\.\ds \(HTTP 429/);
    expect(fake.machines('limited').map((m) => m.state)).toEqual(['started', 'started', 'started']);
  });

  it("destroy removes flyprobe's Machines of the given regions only", async () => {
    fake.seed('gone', { region: 'iad', image: 'i', metadata: OURS });
    fake.seed('gone', { region: 'fra', image: 'i', metadata: OURS });
    const r = await runCli(['destroy', '--app', 'gone', '--regions', 'fra', '--json'], env());
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      results: { region: string; action: string; ok: boolean }[];
    };
    expect(out.ok).toBe(true);
    expect(out.results.map((x) => `${x.region}:${x.action}:${x.ok}`)).toEqual(['fra:destroy:true']);
    expect(
      fake
        .machines('gone')
        .map((m) => [m.region, m.state])
        .sort(),
    ).toEqual([
      ['fra', 'destroyed'],
      ['iad', 'started'],
    ]);
  });

  describe('bad input', () => {
    it('names every unknown or deprecated region and suggests the replacement', async () => {
      const r = await runCli(
        ['deploy', '--app', 'probes', '--regions', 'iad,atl,xyz,fr', '--dry-run', SHARED],
        env(),
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('region "atl" is deprecated; use "dfw" instead');
      expect(r.stderr).toContain('unknown region "xyz"');
      expect(r.stderr).toContain('"fr" is not a region code');
      expect(r.stdout).toBe('');
    });

    it('refuses a region the platform does not offer (GET /v1/platform/regions)', async () => {
      fake.knobs.unavailable.add('jnb');
      const r = await runCli(
        ['deploy', '--app', 'empty', '--regions', 'jnb,iad', '--image', 'i', SHARED],
        env(),
      );
      fake.knobs.unavailable.delete('jnb');
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        'flyprobe deploy: region "jnb" is not offered by the Machines API (GET /v1/platform/regions)\n',
      );
      expect(fake.machines('empty')).toEqual([]);
    });

    it('refuses to run without a Fly token', async () => {
      const r = await runCli(['deploy', '--app', 'probes', '--regions', 'iad', SHARED], {
        FLY_API_HOSTNAME: fake.url,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^flyprobe deploy: no Fly API token: set FLY_API_TOKEN/);
    });

    it('accepts FLY_ACCESS_TOKEN and FLY_FLAPS_BASE_URL too', async () => {
      const r = await runCli(['deploy', '--app', 'probes', '--regions', 'iad,fra,syd', '--dry-run', SHARED], {
        FLY_ACCESS_TOKEN: FLY_TOKEN,
        FLY_FLAPS_BASE_URL: fake.url,
      });
      expect(r.code, r.stderr).toBe(0);
    });

    it("shows the API's status and message", async () => {
      const wrongToken = await runCli(
        ['deploy', '--app', 'probes', '--regions', 'iad', SHARED],
        env({ FLY_API_TOKEN: 'nope' }),
      );
      expect(wrongToken.code).toBe(1);
      expect(wrongToken.stderr).toMatch(
        /^flyprobe deploy: Machines API GET \/v1\/\S+ failed: HTTP 401: You must be authenticated to view this\.\n$/,
      );
      const noApp = await runCli(
        ['deploy', '--app', 'nosuch', '--regions', 'iad', '--image', 'i', SHARED],
        env(),
      );
      expect(noApp.code).toBe(1);
      expect(noApp.stderr).toContain('HTTP 404: app nosuch not found');
    });

    it('treats missing or malformed flags as usage errors (exit 2)', async () => {
      const noApp = await runMain(['deploy', '--regions', 'iad'], env());
      expect(noApp.code).toBe(2);
      expect(noApp.stderr).toContain('flyprobe deploy: --app is required');
      const badCount = await runMain(
        ['deploy', '--app', 'a', '--regions', 'iad', '--per-region', 'two'],
        env(),
      );
      expect(badCount.code).toBe(2);
      expect(badCount.stderr).toContain('--per-region must be an integer');
      const unknown = await runMain(['destroy', '--app', 'a', '--region', 'iad'], env());
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("Unknown option '--region'");
      const noCollector = await runMain(['deploy', '--app', 'a', '--regions', 'iad', '--image', 'i'], env());
      expect(noCollector.code).toBe(2);
      expect(noCollector.stderr).toContain('per-Machine probe tokens need the collector');
    });

    it('asks for --image when the app has no Machine to copy it from', async () => {
      const r = await runCli(['deploy', '--app', 'empty', '--regions', 'syd', SHARED], env());
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('--image is required');
    });
  });
});
