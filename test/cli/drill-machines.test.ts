import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeMachines, startFakeMachines } from '../fake-machines/server.ts';
import {
  ADMIN_TOKEN,
  ingestBatch,
  postJson,
  startTestCollector,
  type TestCollector,
} from './testing/collector.ts';
import { runMain } from './testing/run-main.ts';

const FLY_TOKEN = 'fly-test-token';

/**
 * `flyprobe drill` against the fake Machines API and a real collector. The test plays fly-proxy for two
 * probe regions: their anycast requests are served by nrt while nrt's Machine is started, else by sin.
 */
describe('flyprobe drill against the fake Machines API', { timeout: 120_000 }, () => {
  let fake: FakeMachines;
  let collector: TestCollector;
  let probeToken = '';
  let proxy: NodeJS.Timeout | undefined;
  let seq = 0;

  beforeAll(async () => {
    collector = await startTestCollector({ FLYPROBE_ALLOW_UNBOUND_PROBES: '1' });
    probeToken = (
      (await postJson(`${collector.url}/v1/tokens`, ADMIN_TOKEN, { role: 'probe' })).json as {
        secret: string;
      }
    ).secret;
    fake = await startFakeMachines({ token: FLY_TOKEN, apps: ['web', 'solo'], startDelayMs: 100 });
    fake.seed('web', { region: 'nrt', image: 'registry.fly.io/web:1' });
    fake.seed('web', { region: 'sin', image: 'registry.fly.io/web:1' });
    fake.seed('solo', { region: 'nrt', image: 'registry.fly.io/solo:1' });
    const nrt = () => fake.machines('web').find((m) => m.region === 'nrt');
    const tick = async () => {
      const up = nrt()?.state === 'started';
      const at = Date.now();
      for (const region of ['nrt', 'hkg']) {
        seq++;
        const r = {
          seq,
          target: 'web',
          path: 'anycast',
          protocol: 'http',
          startedAt: at,
          outcome: 'ok',
          latencyMs: 10,
          phases: { connect: 2, ttfb: 10, total: 11 },
          httpStatus: 200,
          edgeRegion: region,
          servedRegion: up ? 'nrt' : 'sin',
        };
        await postJson(`${collector.url}/v1/ingest`, probeToken, ingestBatch(region, `m-${region}`, [r]));
      }
    };
    proxy = setInterval(() => void tick(), 200);
    await new Promise((resolve) => setTimeout(resolve, 1500));
  });
  afterAll(async () => {
    if (proxy) clearInterval(proxy);
    await fake?.close();
    await collector?.stop();
  });

  const env = {
    FLY_API_TOKEN: FLY_TOKEN,
    FLY_API_HOSTNAME: '',
    FLYPROBE_COLLECTOR_URL: '',
    FLYPROBE_TOKEN: ADMIN_TOKEN,
  };
  const run = (args: string[]) =>
    runMain(['drill', ...args], {
      ...env,
      FLY_API_HOSTNAME: fake.url,
      FLYPROBE_COLLECTOR_URL: collector.url,
    });

  it('without --yes only says what it would stop', async () => {
    const before = fake.requests.filter((r) => r.method === 'POST').length;
    const r = await run(['--app', 'web', '--region', 'nrt']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/would stop 1 Machine\(s\) of web: .* re-run with --yes/);
    expect(fake.requests.filter((x) => x.method === 'POST').length).toBe(before);
  });

  it('refuses the region holding all of the app, and a region without Machines', async () => {
    const solo = await run(['--app', 'solo', '--region', 'nrt', '--yes']);
    expect(solo.code).not.toBe(0);
    expect(solo.stderr).toContain('--force');
    const none = await run(['--app', 'web', '--region', 'fra', '--yes']);
    expect(none.stderr).toContain('no running Machine in fra');
  });

  it('stops nrt under a lease, measures both probe regions converging to sin and back, and releases', async () => {
    const r = await run([
      '--app',
      'web',
      '--region',
      'nrt',
      '--yes',
      '--poll',
      '1',
      '--timeout',
      '30',
      '--json',
    ]);
    expect(r.stderr).not.toContain('Error');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      rows: Array<{
        probeRegion: string;
        servedBefore: string;
        servedDuring: string;
        awayMs: number | null;
        backMs: number | null;
      }>;
    };
    expect(report.rows.map((x) => [x.probeRegion, x.servedBefore, x.servedDuring])).toEqual([
      ['hkg', 'nrt', 'sin'],
      ['nrt', 'nrt', 'sin'],
    ]);
    for (const row of report.rows) {
      expect(row.awayMs).not.toBeNull();
      expect(row.backMs).not.toBeNull();
    }
    const id = fake.machines('web').find((m) => m.region === 'nrt')?.id;
    const calls = fake.requests.filter((x) => x.path.includes(`/machines/${id}`) && x.method !== 'GET');
    expect(calls.map((x) => `${x.method} ${x.path.split('/').at(-1)}`)).toEqual([
      'POST lease',
      'POST stop',
      'POST start',
      'DELETE lease',
    ]);
    // Stop and start carried the lease's nonce.
    expect(
      calls.filter((x) => x.path.endsWith('/stop') || x.path.endsWith('/start')).every((x) => x.nonce),
    ).toBe(true);
    expect(fake.lease(id as string)).toBeUndefined();
    expect(fake.machines('web').find((m) => m.region === 'nrt')?.state).toBe('started');
  });
});
