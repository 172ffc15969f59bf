import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/fixtures.ts';
import { GroupCommit } from './group-commit.ts';
import { openDatabase } from './open.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Every WAL sync of this process, in order: when it was asked for and when it returned. */
const events: string[] = [];
const realFdatasyncSync = fs.fdatasyncSync;
afterEach(() => {
  fs.fdatasyncSync = realFdatasyncSync;
  syncBuiltinESMExports();
});

function recordSyncs(): void {
  let n = 0;
  fs.fdatasyncSync = ((fd: number) => {
    const i = ++n;
    events.push(`sync ${i} started`);
    realFdatasyncSync(fd);
    events.push(`sync ${i} returned`);
  }) as typeof fs.fdatasyncSync;
  // DurableCommits imports fdatasyncSync by name: the named export follows the patched property.
  syncBuiltinESMExports();
}

describe('GroupCommit', () => {
  it('resolves each write only after a WAL sync that started after its commit has returned', async () => {
    const db = openDatabase(tmp.db('acks'));
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const group = new GroupCommit(db);
    recordSyncs();
    events.length = 0;
    const writes: Promise<void>[] = [];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 4; i++) {
        const v = `${round}.${i}`;
        writes.push(
          group
            .write(() => {
              insert.run(v);
              events.push(`commit ${v}`);
            })
            .then(() => void events.push(`ack ${v}`)),
        );
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(writes);
    expect(events.filter((e) => e.startsWith('ack '))).toHaveLength(20);
    // For every ack: its commit, then a sync started after that commit, returned before the ack.
    for (const e of events.filter((x) => x.startsWith('ack '))) {
      const v = e.slice(4);
      const committed = events.indexOf(`commit ${v}`);
      const acked = events.indexOf(e);
      const synced = events.some((s, at) => {
        const m = /^sync (\d+) started$/.exec(s);
        if (m === null || at < committed) return false;
        const returned = events.indexOf(`sync ${m[1]} returned`);
        return returned > at && returned < acked;
      });
      expect([v, committed < acked, synced]).toEqual([v, true, true]);
    }
    await group.close();
    db.close();
  });

  it('fails only the write that throws; its neighbours in the same group commit', async () => {
    const db = openDatabase(tmp.db('neighbours'));
    db.exec('CREATE TABLE t (v TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const group = new GroupCommit(db);
    const settled = await Promise.allSettled([
      group.write(() => insert.run('a')),
      group.write(() => {
        insert.run('b');
        throw new Error('refused b');
      }),
      group.write(() => insert.run('c')),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(db.prepare('SELECT v FROM t ORDER BY v').pluck().all()).toEqual(['a', 'c']);
    await group.close();
    db.close();
  });
});
