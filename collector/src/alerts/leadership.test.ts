import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../store/postgres/postgres-store.ts';
import {
  postgresUnavailable,
  startTestPostgres,
  type TestPostgres,
} from '../store/testing/postgres-server.ts';
import { until as poll } from '../testing/until.ts';
import { Leadership } from './leadership.ts';

const skip = postgresUnavailable();

/** Waits for a synchronous condition, polling every 20 ms. */
const until = (what: string, check: () => boolean) =>
  poll(what, async () => check() || undefined, 15_000, { everyMs: 20 });

describe.skipIf(skip !== null)(
  `detector leadership on PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let server: TestPostgres;
    beforeAll(async () => {
      server = await startTestPostgres();
    }, 60_000);
    afterAll(() => server?.stop(), 30_000);

    it('elects one holder, hands over on release, and steps down when the database is lost', async () => {
      const url = await server.createDatabase('leadership');
      const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore({ url, compactMs: 0 })));
      const events: string[] = [];
      const make = (holder: string, i: number) =>
        new Leadership(stores[i]!, {
          name: 'detector',
          holder,
          ttlMs: 1000,
          renewMs: 200,
          onElected: async () => {
            events.push(`${holder} elected`);
          },
          onDeposed: async () => {
            events.push(`${holder} deposed`);
          },
          log: () => undefined,
        });
      const [a, b, c] = [make('a', 0), make('b', 1), make('c', 2)];
      await a.start();
      await b.start();
      expect([a.isLeader, b.isLeader]).toEqual([true, false]);
      // Several renewals later the lease has not moved.
      await new Promise((r) => setTimeout(r, 600));
      expect([a.isLeader, b.isLeader]).toEqual([true, false]);

      await a.stop();
      await until('b to lead after a released the lease', () => b.isLeader);
      expect(events).toEqual(['a elected', 'a deposed', 'b elected']);

      // b's database goes away: its renewal fails, it steps down; c takes over once the lease expires.
      await c.start();
      expect(c.isLeader).toBe(false);
      await stores[1]!.close();
      await until('b to step down', () => !b.isLeader);
      await until('c to lead', () => c.isLeader);
      expect(events).toEqual(['a elected', 'a deposed', 'b elected', 'b deposed', 'c elected']);
      await b.stop();
      await c.stop();
      await stores[0]!.close();
      await stores[2]!.close();
    }, 60_000);
  },
);
