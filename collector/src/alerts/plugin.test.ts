import type { AlertListResponse, AlertView, SilenceView } from '@flyprobe/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDetectionConfig } from '../detect/config.ts';
import {
  ADMIN_SECRET,
  batch,
  call,
  heartbeat,
  probeIdentity,
  READ_SECRET,
  startTestCollector,
  type TestCollector,
  until,
} from '../testing/index.ts';
import { restartedMachineResults } from '../testing/restart-results.ts';
import { SIGNATURE_HEADER, verifySignature, type WebhookPayload } from './providers/webhook/index.ts';
import { alertingSettingsFromEnv } from './settings.ts';
import { startWebhookReceiver, type WebhookReceiver } from './testing/webhook-receiver.ts';

const SECRET = 'plugin-test-secret-0123456789';

describe('alerting plugin in a running collector', { timeout: 60_000 }, () => {
  let c: TestCollector;
  let hook: WebhookReceiver;
  let probeSecret: string;

  beforeAll(async () => {
    hook = await startWebhookReceiver();
    const settings = alertingSettingsFromEnv({
      FLYPROBE_WEBHOOK_URL: hook.url,
      FLYPROBE_WEBHOOK_SECRET: SECRET,
      FLYPROBE_ALERT_EVAL_MS: '200',
    });
    settings.detection = {
      ...defaultDetectionConfig(),
      restart: { ...defaultDetectionConfig().restart, holdMs: 2000 },
    };
    c = await startTestCollector({}, { alerting: { settings } });
    probeSecret = await c.probeToken('ams-1', 'ams');
  }, 60_000);

  afterAll(async () => {
    await c?.close();
    await hook?.close();
  }, 60_000);

  it('raises an alert from ingested results, serves it, notifies, and resolves it', async () => {
    const probe = probeIdentity('ams-1', 'ams');
    const results = restartedMachineResults(Date.now());
    const ingest = await call(`${c.url}/v1/ingest`, {
      token: probeSecret,
      body: batch(probe, results, { heartbeat: heartbeat() }),
    });
    expect(ingest.status).toBe(200);

    const firing = await until('a firing restart alert', async () => {
      const r = await call(`${c.url}/v1/alerts?state=firing&rule=restart`, { token: READ_SECRET });
      return (r.body as AlertListResponse).alerts[0];
    });
    expect(firing.labels).toEqual({
      rule: 'restart',
      target: 'web',
      region: 'fra',
      machine: 'm-fra',
      severity: 'warning',
    });
    expect(firing.evidence.sampleIds.length).toBe(1);
    const byRegion = await call(`${c.url}/v1/alerts?region=fra`, { token: READ_SECRET });
    expect((byRegion.body as AlertListResponse).alerts.map((a) => a.id)).toContain(firing.id);
    const one = await call(`${c.url}/v1/alerts/${firing.id}`, { token: READ_SECRET });
    expect((one.body as AlertView).summary).toMatch(/restarted without a deploy/);

    const delivered = await until('the signed webhook', async () => hook.received[0]);
    expect(verifySignature(SECRET, delivered.body, String(delivered.headers[SIGNATURE_HEADER]))).toBe(true);
    expect((JSON.parse(delivered.body) as WebhookPayload).alert.id).toBe(firing.id);

    // Read tokens may look but not acknowledge.
    expect((await call(`${c.url}/v1/alerts/${firing.id}/ack`, { token: READ_SECRET, body: {} })).status).toBe(
      403,
    );
    const acked = await call(`${c.url}/v1/alerts/${firing.id}/ack`, {
      token: ADMIN_SECRET,
      body: { by: 'oncall' },
    });
    expect(acked.status).toBe(200);
    expect((acked.body as AlertView).acknowledgedBy).toBe('oncall');

    const resolved = await until('the alert to resolve after holdMs', async () => {
      const r = await call(`${c.url}/v1/alerts/${firing.id}`, { token: READ_SECRET });
      const a = r.body as AlertView;
      return a.state === 'resolved' ? a : undefined;
    });
    expect(resolved.resolvedAt).not.toBeNull();
    await until('the resolved notification', async () => hook.payloads().find((p) => p.kind === 'resolved'));
  });

  it('answers bad queries and unknown ids with clear errors', async () => {
    const bad = await call(`${c.url}/v1/alerts?state=burning&limit=0&colour=red`, { token: READ_SECRET });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/state: must be one of pending, firing, resolved/);
    expect(bad.text).toMatch(/limit: must be an integer/);
    expect(bad.text).toMatch(/colour: unknown parameter/);
    expect((await call(`${c.url}/v1/alerts/nope`, { token: READ_SECRET })).status).toBe(404);
    expect((await call(`${c.url}/v1/alerts`)).status).toBe(401);
  });

  it('creates, lists and expires silences; validates matchers', async () => {
    const badRegex = await call(`${c.url}/v1/silences`, {
      token: ADMIN_SECRET,
      body: { matchers: [{ name: 'region', value: '(', isRegex: true }], durationMs: 60_000 },
    });
    expect(badRegex.status).toBe(400);
    expect(badRegex.text).toMatch(/matchers\[0\]: value is not a supported regular expression/);
    const noEnd = await call(`${c.url}/v1/silences`, {
      token: ADMIN_SECRET,
      body: { matchers: [{ name: 'rule', value: 'x' }] },
    });
    expect(noEnd.text).toMatch(/endsAt: endsAt or durationMs is required/);
    expect(
      (
        await call(`${c.url}/v1/silences`, {
          token: READ_SECRET,
          body: { matchers: [{ name: 'rule', value: 'x' }], durationMs: 1000 },
        })
      ).status,
    ).toBe(403);
    const made = await call(`${c.url}/v1/silences`, {
      token: ADMIN_SECRET,
      body: {
        matchers: [{ name: 'rule', value: 'flapping' }],
        durationMs: 3_600_000,
        comment: 'maintenance',
      },
    });
    expect(made.status).toBe(201);
    const silence = made.body as SilenceView;
    expect(silence.state).toBe('active');
    const list = await call(`${c.url}/v1/silences`, { token: READ_SECRET });
    expect((list.body as { silences: SilenceView[] }).silences.map((s) => s.id)).toContain(silence.id);
    expect(
      (await call(`${c.url}/v1/silences/${silence.id}`, { token: ADMIN_SECRET, method: 'DELETE' })).status,
    ).toBe(200);
    expect(
      (await call(`${c.url}/v1/silences/${silence.id}`, { token: ADMIN_SECRET, method: 'DELETE' })).status,
    ).toBe(404);
  });

  it('manages receivers through the admin API without ever returning secrets', async () => {
    const made = await call(`${c.url}/v1/receivers`, {
      token: ADMIN_SECRET,
      body: { kind: 'webhook', url: 'http://127.0.0.1:9/x', secret: 'another-secret-0123456789' },
    });
    expect(made.status).toBe(201);
    expect(made.text).not.toMatch(/another-secret/);
    const list = await call(`${c.url}/v1/receivers`, { token: ADMIN_SECRET });
    expect(list.text).not.toMatch(/secret-0123/);
    const ids = (list.body as { receivers: Array<{ id: string; hasSecret: boolean }> }).receivers;
    expect(ids.map((r) => r.id)).toContain('env:webhook');
    expect(ids.every((r) => r.hasSecret)).toBe(true);
    const bad = await call(`${c.url}/v1/receivers`, {
      token: ADMIN_SECRET,
      body: { kind: 'pager', url: 'ftp://x' },
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/kind/);
    expect(
      (await call(`${c.url}/v1/receivers/env:webhook`, { token: ADMIN_SECRET, method: 'DELETE' })).status,
    ).toBe(400);
    const id = (made.body as { id: string }).id;
    expect(
      (await call(`${c.url}/v1/receivers/${id}`, { token: ADMIN_SECRET, method: 'DELETE' })).status,
    ).toBe(204);
  });

  it('takes an Alertmanager cluster as a URL list, hides its password, and names a bad URL', async () => {
    const made = await call(`${c.url}/v1/receivers`, {
      token: ADMIN_SECRET,
      body: { kind: 'alertmanager', url: 'http://127.0.0.1:9, https://ops:hunter2-pw@127.0.0.1:10' },
    });
    expect(made.status).toBe(201);
    expect(made.text).not.toMatch(/hunter2/);
    expect((made.body as { url: string }).url).toBe('http://127.0.0.1:9/,https://redacted@127.0.0.1:10/');
    const bad = await call(`${c.url}/v1/receivers`, {
      token: ADMIN_SECRET,
      body: { kind: 'alertmanager', url: 'http://127.0.0.1:9,ftp://127.0.0.1:21' },
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/url/);
    expect(bad.text).toMatch(/URL 2 must be an http or https URL/);
    const id = (made.body as { id: string }).id;
    expect(
      (await call(`${c.url}/v1/receivers/${id}`, { token: ADMIN_SECRET, method: 'DELETE' })).status,
    ).toBe(204);
  });

  it('lists its routes in the OpenAPI document', async () => {
    const doc = await call(`${c.url}/openapi.json`);
    const paths = Object.keys((doc.body as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/v1/alerts', '/v1/alerts/{id}', '/v1/alerts/{id}/ack', '/v1/silences']),
    );
  });
});
