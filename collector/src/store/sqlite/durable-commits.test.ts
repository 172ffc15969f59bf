import { statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/fixtures.ts';
import { DurableCommits } from './durable-commits.ts';
import { openDatabase } from './open.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function open(name: string) {
  const db = openDatabase(tmp.db(name));
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  return { db, commits: new DurableCommits(db), insert: db.prepare('INSERT INTO t (v) VALUES (?)') };
}

describe('DurableCommits', () => {
  it('turns SQLite syncing off only inside the transaction, also when it throws', async () => {
    const { db, commits, insert } = open('mode');
    let inside: unknown;
    commits.write(() => {
      inside = db.pragma('synchronous', { simple: true });
      insert.run('a');
    });
    expect([inside, db.pragma('synchronous', { simple: true })]).toEqual([0, 2]);
    expect(() =>
      commits.write(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    // The automatic checkpoint would run inside an unsynced commit: it is off.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    await commits.close();
    db.close();
  });

  it('calls back in commit order once a sync that started after each commit has returned', async () => {
    const { db, commits, insert } = open('order');
    const done: number[] = [];
    const all: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      commits.write(() => insert.run(String(i)));
      all.push(
        new Promise((resolve, reject) =>
          commits.whenDurable((error) => {
            if (error) reject(error);
            done.push(i);
            resolve();
          }),
        ),
      );
      // None is acknowledged in the turn of its commit: the sync runs on the thread pool.
      expect(done).not.toContain(i);
    }
    await Promise.all(all);
    expect(done).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await commits.close();
    db.close();
  });

  it('holds group commits asked for during a sync until it returns, then runs them as one round', async () => {
    const { db, commits, insert } = open('defer');
    const events: string[] = [];
    commits.write(() => insert.run('a'));
    commits.whenDurable(() => events.push('a durable'));
    const later = new Promise<void>((resolve) => {
      commits.nextCommit(() => events.push('commit b'));
      commits.nextCommit(() => {
        events.push('commit c');
        commits.write(() => insert.run('c'));
        commits.whenDurable(() => resolve());
      });
    });
    await later;
    expect(events).toEqual(['a durable', 'commit b', 'commit c']);
    await commits.close();
    db.close();
  });

  it('checkpoints off the event loop so the WAL restarts instead of growing', async () => {
    const { db, commits, insert } = open('checkpoint');
    const wal = `${tmp.db('checkpoint')}-wal`;
    const round = async () => {
      commits.write(() => {
        for (let i = 0; i < 2000; i++) insert.run('x'.repeat(200));
      });
      await new Promise<void>((resolve) => commits.whenDurable(() => resolve()));
    };
    await round();
    const oneRound = statSync(wal).size;
    // A checkpoint between rounds (the worker's, also run every 500 ms) lets the next one start the WAL over.
    for (let r = 0; r < 4; r++) {
      await commits.checkpoint();
      await round();
    }
    expect(statSync(wal).size).toBeLessThan(2 * oneRound);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(10_000);
    await commits.close();
    db.close();
  });
});

describe('DurableCommits without a WAL', () => {
  it('keeps SQLite syncing and acknowledges at once on a rollback journal', async () => {
    const db = openDatabase(tmp.db('journal'));
    db.pragma('journal_mode = DELETE');
    db.exec('CREATE TABLE t (v TEXT)');
    const commits = new DurableCommits(db);
    let inside: unknown;
    commits.write(() => {
      inside = db.pragma('synchronous', { simple: true });
      db.prepare('INSERT INTO t VALUES (?)').run('a');
    });
    let acknowledged = false;
    commits.whenDurable(() => {
      acknowledged = true;
    });
    expect([inside, acknowledged]).toEqual([2, true]);
    await commits.close();
    db.close();
  });
});
