import { afterEach, describe, expect, it } from 'vitest';
import { AlertEngine } from './engine.ts';
import { finding, tempAlertDb } from './testing/alert-db.ts';
import type { Receiver } from './types.ts';

const T = Date.parse('2026-11-26T01:00:00Z');
const hook: Receiver = {
  id: 'env:webhook',
  kind: 'webhook',
  url: 'http://127.0.0.1:9/x',
  secret: null,
  name: null,
  source: 'env',
  createdAt: 0,
};

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function setup(forMs = 0) {
  const db = tempAlertDb();
  cleanup = db.cleanup;
  const make = () => new AlertEngine(db.store, { forMs: () => forMs, receivers: async () => [hook] });
  return { db, engine: make(), make };
}

describe('alert engine', { timeout: 60_000 }, () => {
  it('goes pending -> firing -> resolved and queues one notification per transition and receiver', async () => {
    const { db, engine } = setup(2000);
    expect((await engine.apply([finding()], T)).map((t) => t.to)).toEqual(['pending']);
    expect(await db.store.dueNotifications(T + 10_000, 10)).toEqual([]);
    expect((await engine.apply([finding()], T + 1000)).map((t) => t.to)).toEqual([]);
    expect((await engine.apply([finding()], T + 2000)).map((t) => t.to)).toEqual(['firing']);
    await engine.apply([finding()], T + 3000);
    const firing = await db.store.dueNotifications(T + 10_000, 10);
    expect(firing.map((n) => [n.kind, n.receiverId])).toEqual([['firing', 'env:webhook']]);
    expect(firing[0]?.alert.labels).toEqual({
      rule: 'resets',
      target: 'web',
      region: 'sin',
      severity: 'critical',
    });
    expect((await engine.apply([], T + 4000)).map((t) => t.to)).toEqual(['resolved']);
    const [alert] = await db.store.listAlerts({ limit: 10 });
    expect(alert).toMatchObject({ state: 'resolved', firedAt: T + 2000, resolvedAt: T + 4000 });
    // Resolved waits behind the undelivered firing notification of the same alert and receiver.
    expect((await db.store.dueNotifications(T + 10_000, 10)).map((n) => n.kind)).toEqual(['firing']);
    await db.store.markDelivered(firing[0]?.id as number, T + 5000);
    expect((await db.store.dueNotifications(T + 10_000, 10)).map((n) => n.kind)).toEqual(['resolved']);
  });

  it('keeps the firing summary and evidence; the resolution adds its own evidence', async () => {
    const { db, engine } = setup();
    await engine.apply([finding()], T);
    const later = finding({
      level: 'hold',
      summary: 'web: 0% of recent connections',
      evidence: { values: { failure_rate: 0.02 }, window: { from: 3, to: 4, samples: 30 }, sampleIds: [9] },
    });
    for (let i = 1; i < 12; i++) await engine.apply([later], T + i * 1000);
    const [open] = await db.store.listAlerts({ state: 'firing', limit: 10 });
    expect(open?.summary).toBe('web: connection failures in sin');
    expect(open?.evidence.values).toEqual({ failure_rate: 0.5 });
    await engine.apply([], T + 20_000);
    const [resolved] = await db.store.listAlerts({ state: 'resolved', limit: 10 });
    expect(resolved?.summary).toBe('web: connection failures in sin');
    expect(resolved?.evidence).toMatchObject({ values: { failure_rate: 0.5 }, sampleIds: [1, 2] });
    expect(resolved?.evidence.resolution).toMatchObject({
      at: T + 20_000,
      lastHeldAt: T + 11_000,
      lastValues: { failure_rate: 0.02 },
    });
    expect(resolved?.evidence.resolution?.summary).toMatch(
      /below the resets rule's clear threshold.*failure_rate=0.02/,
    );
  });

  it('holds an open alert on a hold finding but never opens one with it', async () => {
    const { db, engine } = setup();
    expect(await engine.apply([finding({ level: 'hold' })], T)).toEqual([]);
    await engine.apply([finding()], T + 1);
    for (let i = 2; i < 10; i++) expect(await engine.apply([finding({ level: 'hold' })], T + i)).toEqual([]);
    expect((await db.store.listAlerts({ state: 'firing', limit: 10 })).length).toBe(1);
  });

  it('drops a pending alert that clears before forMs without notifying anyone', async () => {
    const { db, engine } = setup(5000);
    await engine.apply([finding()], T);
    await engine.apply([], T + 1000);
    expect(await db.store.listAlerts({ limit: 10 })).toEqual([]);
    expect(await db.store.outboxCounts()).toEqual({ pending: 0, delivered: 0, dead: 0 });
  });

  it('opens a new episode with a new id when the same fault returns', async () => {
    const { db, engine } = setup();
    await engine.apply([finding()], T);
    await engine.apply([], T + 1);
    await engine.apply([finding()], T + 2);
    const alerts = await db.store.listAlerts({ limit: 10 });
    expect(alerts.map((a) => a.state).sort()).toEqual(['firing', 'resolved']);
    expect(new Set(alerts.map((a) => a.id)).size).toBe(2);
    expect(new Set(alerts.map((a) => a.fingerprint)).size).toBe(1);
  });

  it('resumes open alerts after a restart without re-notifying', async () => {
    const { db, engine } = setup();
    await engine.apply([finding()], T);
    const store = db.reopen();
    const again = new AlertEngine(store, { forMs: () => 0, receivers: async () => [hook] });
    expect(await again.apply([finding()], T + 1000)).toEqual([]);
    expect((await store.outboxCounts()).pending).toBe(1);
    expect((await again.apply([], T + 2000)).map((t) => t.to)).toEqual(['resolved']);
    expect((await store.outboxCounts()).pending).toBe(2);
    void engine;
  });

  it('holds back notifications while silenced, sends them when the silence ends, and filters by labels', async () => {
    const { db, engine } = setup();
    const silence = await db.store.createSilence(
      {
        matchers: [{ name: 'region', value: 's.n', isRegex: true, isEqual: true }],
        startsAt: T,
        endsAt: T + 10_000,
        createdBy: 't',
        comment: '',
      },
      T,
    );
    const other = finding({ labels: { target: 'web', region: 'iad' } });
    await engine.apply([finding(), other], T + 1);
    const alerts = await db.store.listAlerts({ state: 'firing', limit: 10 });
    expect(alerts.find((a) => a.labels.region === 'sin')?.silencedBy).toBe(silence.id);
    expect((await db.store.dueNotifications(T + 2, 10)).map((n) => n.alert.labels.region)).toEqual(['iad']);
    expect(await db.store.expireSilence(silence.id, T + 5000)).toBe(true);
    await engine.apply([finding(), other], T + 5001);
    expect((await db.store.dueNotifications(T + 5002, 10)).map((n) => n.alert.labels.region).sort()).toEqual([
      'iad',
      'sin',
    ]);
    expect((await db.store.listSilences(T + 5002))[0]?.state).toBe('expired');
    expect((await db.store.listAlerts({ region: 'iad', limit: 10 })).length).toBe(1);
    expect((await db.store.listAlerts({ rule: 'latency', limit: 10 })).length).toBe(0);
  });

  it('a silenced alert that resolves while silenced sends nothing at all', async () => {
    const { db, engine } = setup();
    await db.store.createSilence(
      {
        matchers: [{ name: 'rule', value: 'resets', isRegex: false, isEqual: true }],
        startsAt: T,
        endsAt: T + 60_000,
        createdBy: 't',
        comment: '',
      },
      T,
    );
    await engine.apply([finding()], T + 1);
    await engine.apply([], T + 2);
    expect(await db.store.outboxCounts()).toEqual({ pending: 0, delivered: 0, dead: 0 });
  });

  it('records acknowledgements', async () => {
    const { db, engine } = setup();
    await engine.apply([finding()], T);
    const [a] = await db.store.listAlerts({ limit: 1 });
    const acked = await engine.acknowledge(a?.id as string, 'oncall', T + 10);
    expect(acked).toMatchObject({ acknowledgedBy: 'oncall', acknowledgedAt: T + 10 });
    await engine.apply([finding()], T + 20);
    expect((await db.store.getAlert(a?.id as string))?.acknowledgedBy).toBe('oncall');
    expect(await engine.acknowledge('nope', 'x', T)).toBeUndefined();
  });
});
