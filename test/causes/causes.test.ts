import type { AlertListResponse, AlertView } from '@flyprobe/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertingSettingsFromEnv } from '../../collector/src/alerts/settings.ts';
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../collector/src/alerts/testing/webhook-receiver.ts';
import { causeSettingsFromEnv } from '../../collector/src/causes/settings.ts';
import {
  type FakeStatusPage,
  startFakeStatusPage,
} from '../../collector/src/causes/testing/fake-statuspage.ts';
import {
  batch,
  call,
  heartbeat,
  probeIdentity,
  READ_SECRET,
  result,
  startTestCollector,
  type TestCollector,
  until,
} from '../../collector/src/testing/index.ts';
import { recordExit } from '../fake-machines/machine-history.ts';
import { startTargetMachines, type TargetMachines } from './testing/target-machines.ts';

describe('causes on alerts in a running collector', { timeout: 60_000 }, () => {
  let c: TestCollector;
  let fly: TargetMachines;
  let page: FakeStatusPage;
  let hook: WebhookReceiver;

  beforeAll(async () => {
    fly = await startTargetMachines('web-target');
    page = await startFakeStatusPage();
    hook = await startWebhookReceiver();
    const fra = page.addComponent('Frankfurt, Germany (FRA)');
    page.openIncident('Degraded networking in Frankfurt', [fra], Date.now() - 120_000);
    const settings = alertingSettingsFromEnv({
      FLYPROBE_WEBHOOK_URL: hook.url,
      FLYPROBE_ALERT_EVAL_MS: '200',
    });
    const causes = causeSettingsFromEnv({
      FLYPROBE_STATUS_PAGE_URL: page.url,
      FLYPROBE_TARGET_FLY_TOKEN: fly.token,
      FLYPROBE_TARGET_APP: 'web-target',
      FLY_FLAPS_BASE_URL: fly.url,
      // Only the start and the refresh before a notification poll: the test controls what is known when.
      FLYPROBE_MACHINES_POLL_MS: '3600000',
      FLYPROBE_STATUS_PAGE_POLL_MS: '3600000',
    });
    c = await startTestCollector({}, { alerting: { settings, causes } });
  }, 60_000);

  afterAll(async () => {
    await c?.close();
    await fly?.close();
    await page?.close();
    await hook?.close();
  }, 60_000);

  it('names the OOM kill and the regional incident on a restart alert, in the API and the notification', async () => {
    const m = fly.addMachine('fra', 256);
    const now = Date.now();
    // The target is OOM-killed after the collector's first poll: the refresh before the notification finds it.
    recordExit(m, now - 2000, { exit_code: 137, oom_killed: true, signal: 9, restarting: true });
    const echo = (startedAt: number, at: number, oomKills: number) => ({
      region: 'fra',
      machineId: m.id,
      startedAt,
      imageRef: 'img:1',
      receivedAt: at,
      requestId: `r${at}`,
      pressure: { memoryOomKill: oomKills, memoryMaxBytes: 268_435_456 },
    });
    const results = [
      result(1, {
        path: 'pinned',
        targetRegion: 'fra',
        startedAt: now - 3000,
        echo: echo(now - 600_000, now - 3000, 0),
      }),
      result(2, {
        path: 'pinned',
        targetRegion: 'fra',
        startedAt: now - 1000,
        echo: echo(now - 1500, now - 1000, 1),
      }),
    ];
    const token = await c.probeToken('ams-1', 'ams');
    const ingest = await call(`${c.url}/v1/ingest`, {
      token,
      body: batch(probeIdentity('ams-1', 'ams'), results, { heartbeat: heartbeat() }),
    });
    expect(ingest.status).toBe(200);

    const delivered = await until('the webhook', async () =>
      hook.payloads().find((p) => p.alert.rule === 'restart'),
    );
    expect(delivered.alert.summary).toMatch(/restarted without a deploy.*Likely causes: /);
    expect(delivered.alert.summary).toContain(`Machine ${m.id} in fra OOM-killed (exit 137, signal 9)`);
    expect(delivered.alert.summary).toContain('memory 256 MB');
    expect(delivered.alert.summary).toContain('Degraded networking in Frankfurt');

    const listed = (await call(`${c.url}/v1/alerts?rule=restart`, { token: READ_SECRET }))
      .body as AlertListResponse;
    const alert = listed.alerts[0] as AlertView;
    const one = (await call(`${c.url}/v1/alerts/${alert.id}`, { token: READ_SECRET })).body as AlertView;
    for (const view of [alert, one]) {
      const kinds = (view.causes ?? [])
        .map((x) => `${x.source}:${x.kind}${x.side ? `:${x.side}` : ''}`)
        .sort();
      expect(kinds).toEqual([
        'machine-events:oom_kill',
        'pressure:oom_kill:target',
        'status-page:component_status',
        'status-page:incident',
      ]);
      // The API keeps the detector's own summary; the causes are a field beside it.
      expect(view.summary).not.toContain('Likely cause');
    }
    expect(one.causes?.find((x) => x.source === 'machine-events')?.details).toMatchObject({
      exit_code: 137,
      oom_killed: true,
      memory_mb: 256,
    });
    const metrics = await call(`${c.url}/metrics`, {});
    expect(String(metrics.body)).toContain('flyprobe_cause_source_up{source="machine-events"} 1');
  });
});
