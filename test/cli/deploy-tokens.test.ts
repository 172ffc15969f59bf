import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMachine } from '../fake-machines/machine-shapes.ts';
import { type FakeMachines, startFakeMachines } from '../fake-machines/server.ts';
import {
  ADMIN_TOKEN,
  heartbeat,
  postJson,
  startTestCollector,
  type TestCollector,
} from './testing/collector.ts';
import { runMain } from './testing/run-main.ts';

const FLY_TOKEN = 'fly-token';
const APP = 'probes';

/** The batch a probe in this Machine sends: identity from its env (probe id, token) and the Fly variables. */
function batchOf(m: FakeMachine, overrides: { region?: string } = {}) {
  return {
    schemaVersion: 1,
    probe: {
      probeId: m.config!.env!.FLYPROBE_PROBE_ID!,
      region: overrides.region ?? m.region,
      machineId: m.id,
      app: APP,
      bootId: 'boot-1',
      version: 'test',
    },
    results: [],
    heartbeat: heartbeat(),
  };
}

/**
 * Per-Machine tokens against the real collector (bound probe tokens, no unbound mode): deploy mints them
 * through POST /v1/tokens, each Machine's probe reports with its own token, a token cannot report as
 * another region, and destroy revokes it.
 */
describe('deploy mints bound probe tokens through the real collector', { timeout: 60_000 }, () => {
  let collector: TestCollector;
  let fake: FakeMachines;
  const reports: Promise<{ status: number }>[] = [];

  beforeAll(async () => {
    collector = await startTestCollector();
    fake = await startFakeMachines({
      token: FLY_TOKEN,
      apps: [APP],
      rateLimit: { perSecond: 20, burst: 20 },
      // The probe inside the Machine reports with the token deploy gave it.
      onStarted: (_app, m) => {
        reports.push(postJson(`${collector.url}/v1/ingest`, m.config!.env!.FLYPROBE_TOKEN!, batchOf(m)));
      },
    });
  });
  afterAll(async () => {
    await Promise.all(reports);
    await fake?.close();
    await collector?.stop();
  });

  const env = () => ({
    FLY_API_TOKEN: FLY_TOKEN,
    FLY_FLAPS_BASE_URL: fake.url,
    FLYPROBE_COLLECTOR_URL: collector.url,
    FLYPROBE_TOKEN: ADMIN_TOKEN,
  });

  it('each Machine reports with its own token and is confirmed by heartbeat; the token is bound to its region', async () => {
    const r = await runMain(
      ['deploy', '--app', APP, '--regions', 'iad,syd', '--image', 'reg/probe:1', '--confirm-timeout', '20'],
      env(),
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('2/2 Machines confirmed by heartbeat');
    expect((await Promise.all(reports)).map((x) => x.status)).toEqual([200, 200]);
    const [iad] = fake.machines(APP).filter((m) => m.region === 'iad');
    const wrong = await postJson(
      `${collector.url}/v1/ingest`,
      iad!.config!.env!.FLYPROBE_TOKEN!,
      batchOf(iad!, { region: 'fra' }),
    );
    expect(wrong.status).toBe(403);
    expect(JSON.stringify(wrong.json)).toContain('region');
  });

  it('destroy revokes the token: the probe can no longer report', async () => {
    const [syd] = fake.machines(APP).filter((m) => m.region === 'syd');
    const d = await runMain(['destroy', '--app', APP, '--regions', 'syd'], env());
    expect(d.code, d.stdout + d.stderr).toBe(0);
    expect(d.stdout).toMatch(/destroyed; token \S+ revoked/);
    const after = await postJson(
      `${collector.url}/v1/ingest`,
      syd!.config!.env!.FLYPROBE_TOKEN!,
      batchOf(syd!),
    );
    expect(after.status).toBe(401);
  });
});
