import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/fixtures.ts';
import { GroupCommit } from './group-commit.ts';
import { openDatabase } from './open.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('GroupCommit acknowledgements', () => {
  it('answers a durable write before the group held during its sync starts committing', async () => {
    const db = openDatabase(tmp.db('ack-first'));
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const group = new GroupCommit(db);
    const events: string[] = [];
    const a = group.write(() => insert.run('a')).then(() => void events.push('ack a'));
    // a's group has committed and its WAL sync runs: b is held for the next round.
    await new Promise((resolve) => setImmediate(resolve));
    const b = group.write(() => {
      events.push('commit b');
      insert.run('b');
    });
    await Promise.all([a, b]);
    // The next group's inserts take milliseconds of this thread: a's answer must not wait behind them.
    expect(events).toEqual(['ack a', 'commit b']);
    expect(db.prepare('SELECT v FROM t ORDER BY id').pluck().all()).toEqual(['a', 'b']);
    await group.close();
    db.close();
  });
});
