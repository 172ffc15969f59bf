import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../testing/until.ts';
import { AlertEngine, alertView } from '../engine.ts';
import {
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySignature,
  type WebhookPayload,
} from '../providers/webhook/index.ts';
import { finding, tempAlertDb } from '../testing/alert-db.ts';
import { testProviders } from '../testing/providers.ts';
import { type Delivery, startWebhookReceiver } from '../testing/webhook-receiver.ts';
import type { AlertStore, Receiver } from '../types.ts';
import { DEFAULT_DELIVERY, DeliveryWorker } from './worker.ts';

const SECRET = 'a-webhook-secret-0123456789';

const closers: Array<() => unknown> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

function worker(store: AlertStore, receivers: Receiver[], now: () => number) {
  return new DeliveryWorker(
    {
      store,
      receivers: async () => receivers,
      providers: testProviders(now),
      firingAlerts: () => [],
      now,
      log: () => undefined,
    },
    { ...DEFAULT_DELIVERY, baseDelayMs: 1000, maxAttempts: 4 },
  );
}

function hookReceiver(url: string): Receiver {
  return { id: 'env:webhook', kind: 'webhook', url, secret: SECRET, name: null, source: 'env', createdAt: 0 };
}

/** A loopback receiver (answering `statuses`, then 200), a temp alert database and an engine sending to it. */
async function setup(statuses: number[] = [], kind: 'webhook' | 'slack' = 'webhook') {
  const rx = await startWebhookReceiver(statuses);
  closers.push(rx.close);
  const db = tempAlertDb();
  closers.push(db.cleanup);
  const r: Receiver =
    kind === 'webhook'
      ? hookReceiver(rx.url)
      : { ...hookReceiver(rx.url), id: 'env:slack', kind, secret: null };
  const engine = new AlertEngine(db.store, { forMs: () => 0, receivers: async () => [r] });
  return { rx, db, r, engine };
}

describe('delivery worker', { timeout: 60_000 }, () => {
  it('delivers a signed webhook the receiver can verify, with event id and timestamp headers', async () => {
    const { rx, db, r, engine } = await setup();
    let now = 1_800_000_000_000;
    await engine.apply([finding()], now);
    expect(await worker(db.store, [r], () => now).runOnce()).toBe(1);
    expect(rx.received).toHaveLength(1);
    const got = rx.received[0] as Delivery;
    expect(verifySignature(SECRET, got.body, got.headers[SIGNATURE_HEADER] as string)).toBe(true);
    expect(
      verifySignature('another-secret-xxxxxxxx', got.body, got.headers[SIGNATURE_HEADER] as string),
    ).toBe(false);
    expect(verifySignature(SECRET, `${got.body} `, got.headers[SIGNATURE_HEADER] as string)).toBe(false);
    const payload = JSON.parse(got.body) as WebhookPayload;
    expect(payload).toMatchObject({
      kind: 'firing',
      eventId: got.headers[EVENT_ID_HEADER],
      timestamp: Number(got.headers[TIMESTAMP_HEADER]),
    });
    expect(payload.alert.labels.region).toBe('sin');
    expect(await db.store.outboxCounts()).toEqual({ pending: 0, delivered: 1, dead: 0 });
    now += 1000;
    expect(await worker(db.store, [r], () => now).runOnce()).toBe(0);
  });

  it('retries 5xx with growing backoff and keeps the event id; gives up on 4xx', async () => {
    const { rx, db, r, engine } = await setup([500, 503]);
    let now = 1_800_000_000_000;
    await engine.apply([finding()], now);
    const w = worker(db.store, [r], () => now);
    await w.runOnce();
    const [first] = await db.store.dueNotifications(now + 10_000, 5);
    expect(first?.attempts).toBe(1);
    expect(first?.lastError).toMatch(/answered 500/);
    const delay1 = (first?.nextAttemptAt ?? 0) - now;
    expect(delay1).toBeGreaterThanOrEqual(500);
    expect(delay1).toBeLessThanOrEqual(1000);
    expect(await w.runOnce()).toBe(0); // not due yet
    now = first?.nextAttemptAt ?? now;
    await w.runOnce();
    const [second] = await db.store.dueNotifications(now + 10_000, 5);
    expect(second?.attempts).toBe(2);
    expect((second?.nextAttemptAt ?? 0) - now).toBeGreaterThanOrEqual(1000);
    now = second?.nextAttemptAt ?? now;
    await w.runOnce();
    expect(await db.store.outboxCounts()).toEqual({ pending: 0, delivered: 1, dead: 0 });
    const ids = rx.received.map((x) => x.headers[EVENT_ID_HEADER]);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);

    const bad = await startWebhookReceiver([400]);
    closers.push(bad.close);
    const r2: Receiver = { ...hookReceiver(bad.url), id: 'api-1' };
    const engine2 = new AlertEngine(db.store, { forMs: () => 0, receivers: async () => [r2] });
    await engine2.apply([finding({ labels: { target: 'web', region: 'iad' } })], now);
    await worker(db.store, [r2], () => now).runOnce();
    expect((await db.store.outboxCounts()).dead).toBe(1);
  });

  it('loses no notification across a restart and sends each once', async () => {
    const { rx, db, r, engine } = await setup();
    const now = 1_800_000_000_000;
    await engine.apply([finding(), finding({ labels: { target: 'web', region: 'iad' } })], now);
    await engine.apply([finding()], now + 1000); // iad resolves
    // The collector dies before any delivery: the outbox is in the file.
    const store = db.reopen();
    const w = worker(store, [r], () => now + 2000);
    w.start();
    const deadline = Date.now() + 15_000;
    while (rx.received.length < 3 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await w.stop();
    const kinds = rx.received.map((x) => {
      const p = JSON.parse(x.body) as WebhookPayload;
      return `${p.alert.labels.region}:${p.kind}`;
    });
    expect([...kinds].sort()).toEqual(['iad:firing', 'iad:resolved', 'sin:firing']);
    // firing went before resolved for the same alert
    expect(kinds.indexOf('iad:firing')).toBeLessThan(kinds.indexOf('iad:resolved'));
    expect(new Set(rx.received.map((x) => x.headers[EVENT_ID_HEADER])).size).toBe(3);
    expect(await store.outboxCounts()).toEqual({ pending: 0, delivered: 3, dead: 0 });
  });

  it('posts a Slack incoming-webhook message', async () => {
    const { rx, db, engine, r } = await setup([], 'slack');
    await engine.apply([finding()], 1_800_000_000_000);
    await worker(db.store, [r], () => 1_800_000_000_001).runOnce();
    const body = JSON.parse(rx.received[0]?.body ?? '{}') as { text: string; blocks: unknown[] };
    expect(body.text).toMatch(
      /^:rotating_light: \[FIRING\] resets \(critical, local\): web: connection failures in sin/,
    );
    expect(body.blocks.length).toBeGreaterThan(0);
  });

  it('re-sends firing alerts through the providers that have `refresh` (Alertmanager) and no others', async () => {
    const { rx: am, db } = await setup();
    const { rx: hook } = await setup();
    const now = 1_800_000_000_000;
    const engine = new AlertEngine(db.store, { forMs: () => 0, receivers: async () => [] });
    await engine.apply([finding()], now);
    const receivers: Receiver[] = [
      hookReceiver(hook.url),
      { ...hookReceiver(am.url), id: 'env:alertmanager', kind: 'alertmanager', secret: null },
    ];
    const w = new DeliveryWorker(
      {
        store: db.store,
        receivers: async () => receivers,
        providers: testProviders(() => now),
        firingAlerts: () => engine.openAlerts().map((a) => alertView(a)),
        now: () => now,
        log: () => undefined,
      },
      { ...DEFAULT_DELIVERY, alertmanagerRefreshMs: 60_000 },
    );
    w.start();
    await until('the Alertmanager re-post', async () => am.received[0]);
    await w.stop();
    expect(am.received.map((d) => d.path)).toEqual(['/hook/api/v2/alerts']);
    const posted = JSON.parse(am.received[0]?.body ?? '[]') as Array<{
      labels: Record<string, string>;
      endsAt: string;
    }>;
    expect(posted.map((a) => a.labels.alertname)).toEqual(['flyprobe_resets']);
    expect(Date.parse(posted[0]?.endsAt ?? '')).toBeGreaterThan(now);
    expect(hook.received).toEqual([]);
  });
});
