import { describe, expect, it } from 'vitest';
import type { AlertRecord, NewNotification } from '../../../alerts/types.ts';
import type { StoreHarness } from '../dialects.ts';
import { alertRecord as alert, T0 } from '../fixtures.ts';

function note(a: AlertRecord, kind: 'firing' | 'resolved', receiverId = 'env:webhook'): NewNotification {
  const { notified: _n, ...view } = a;
  return {
    eventId: `${a.id}-${kind}-${receiverId}`,
    alertId: a.id,
    receiverId,
    kind,
    alert: view,
    createdAt: T0,
  };
}

/** Registers this part of the store contract for one dialect. */
export function alertsContract(h: StoreHarness): void {
  describe('alerts, outbox, silences and receivers', { timeout: 60_000 }, () => {
    it('commits alerts with their notifications once, and reloads open alerts after a reopen', async () => {
      const db = await h.database('alerts');
      const store = await db.open();
      const a = alert('a1');
      await store.alerts.commitAlertChanges({ upsert: [a], remove: [], notifications: [note(a, 'firing')] });
      // The same notification again (a retried transaction) is stored once.
      await store.alerts.commitAlertChanges({ upsert: [a], remove: [], notifications: [note(a, 'firing')] });
      const pending = alert('p1', { state: 'pending', firedAt: null, notified: false });
      await store.alerts.commitAlertChanges({ upsert: [pending], remove: [], notifications: [] });
      await store.alerts.commitAlertChanges({ upsert: [], remove: ['p1'], notifications: [] });
      expect(await store.alerts.outboxCounts()).toEqual({ pending: 1, delivered: 0, dead: 0 });
      await store.close();
      const reopened = await db.open();
      expect(await reopened.alerts.loadOpenAlerts()).toEqual([a]);
      expect((await reopened.alerts.listAlerts({ region: 'sin', limit: 10 })).map((x) => x.id)).toEqual([
        'a1',
      ]);
      expect(await reopened.alerts.listAlerts({ region: 'fra', limit: 10 })).toEqual([]);
      const acked = await reopened.alerts.acknowledgeAlert('a1', 'ops', T0 + 5000);
      expect(acked).toMatchObject({ acknowledgedAt: T0 + 5000, acknowledgedBy: 'ops' });
      await reopened.close();
    });

    it('hands out due notifications oldest first, never a resolved one before its firing one', async () => {
      const store = await (await h.database('outbox')).open();
      const a = alert('a1');
      const resolved = { ...a, state: 'resolved' as const, resolvedAt: T0 + 9000 };
      await store.alerts.commitAlertChanges({ upsert: [a], remove: [], notifications: [note(a, 'firing')] });
      await store.alerts.commitAlertChanges({
        upsert: [resolved],
        remove: [],
        notifications: [note(resolved, 'resolved')],
      });
      const first = await store.alerts.dueNotifications(T0 + 10_000, 10);
      expect(first.map((n) => n.kind)).toEqual(['firing']);
      await store.alerts.markAttemptFailed(first[0]!.id, {
        attempts: 1,
        nextAttemptAt: T0 + 20_000,
        error: 'HTTP 503',
        dead: false,
      });
      // Still pending and not yet due again: the resolved one waits behind it.
      expect(await store.alerts.dueNotifications(T0 + 10_000, 10)).toEqual([]);
      const retry = await store.alerts.dueNotifications(T0 + 20_000, 10);
      expect(retry.map((n) => [n.kind, n.attempts, n.lastError])).toEqual([['firing', 1, 'HTTP 503']]);
      await store.alerts.markDelivered(retry[0]!.id, T0 + 20_001);
      const next = await store.alerts.dueNotifications(T0 + 20_002, 10);
      expect(next.map((n) => n.kind)).toEqual(['resolved']);
      expect(next[0]?.alert).toMatchObject({ id: 'a1', state: 'resolved' });
      await store.alerts.markDelivered(next[0]!.id, T0 + 20_003);
      expect(await store.alerts.outboxCounts()).toEqual({ pending: 0, delivered: 2, dead: 0 });
      // Finished notifications older than the cut go; the alert (resolved after the cut) stays.
      expect(await store.alerts.pruneAlerts(T0 + 1)).toBe(2);
      expect(await store.alerts.outboxCounts()).toEqual({ pending: 0, delivered: 0, dead: 0 });
      expect((await store.alerts.getAlert('a1'))?.state).toBe('resolved');
      await store.close();
    });

    it('creates, lists and expires silences; creates, lists and deletes receivers', async () => {
      const store = await (await h.database('silences')).open();
      const s = await store.alerts.createSilence(
        {
          matchers: [{ name: 'region', value: 'sin', isRegex: false, isEqual: true }],
          startsAt: T0,
          endsAt: T0 + 60_000,
          createdBy: 'ops',
          comment: 'maintenance',
        },
        T0,
      );
      expect(s.state).toBe('active');
      expect((await store.alerts.listSilences(T0 + 1)).map((x) => [x.id, x.state])).toEqual([
        [s.id, 'active'],
      ]);
      expect(await store.alerts.expireSilence(s.id, T0 + 10)).toBe(true);
      expect(await store.alerts.expireSilence(s.id, T0 + 20)).toBe(false);
      expect((await store.alerts.listSilences(T0 + 30))[0]?.state).toBe('expired');
      const r = await store.alerts.createReceiver(
        { kind: 'webhook', url: 'http://127.0.0.1:9/hook', secret: 's3cret', name: 'ops' },
        T0,
      );
      expect(await store.alerts.listReceivers()).toEqual([r]);
      expect(await store.alerts.deleteReceiver(r.id)).toBe(true);
      expect(await store.alerts.deleteReceiver(r.id)).toBe(false);
      await store.close();
    });
  });
}
