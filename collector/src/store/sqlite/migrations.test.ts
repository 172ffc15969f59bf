import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/fixtures.ts';
import { runMigrations } from './migrations.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const alerts = [
  { id: 1, name: 'alerts', sql: 'CREATE TABLE alerts (id INTEGER PRIMARY KEY, rule TEXT NOT NULL)' },
  { id: 2, name: 'alerts-state', sql: 'ALTER TABLE alerts ADD COLUMN state TEXT' },
];

describe('runMigrations', { timeout: 60_000 }, () => {
  it('applies each migration once, per component, across reopenings', () => {
    const path = tmp.db('idempotent');
    const db = new Database(path);
    expect(runMigrations(db, 'alerts', alerts)).toEqual([1, 2]);
    expect(runMigrations(db, 'alerts', alerts)).toEqual([]);
    expect(runMigrations(db, 'other', [{ id: 1, name: 'x', sql: 'CREATE TABLE x (a)' }])).toEqual([1]);
    db.close();
    const again = new Database(path);
    expect(
      runMigrations(again, 'alerts', [
        ...alerts,
        { id: 3, name: 'idx', sql: 'CREATE INDEX a_rule ON alerts (rule)' },
      ]),
    ).toEqual([3]);
    const rows = again
      .prepare('SELECT component, id, name FROM schema_migrations ORDER BY component, id')
      .all();
    expect(rows).toEqual([
      { component: 'alerts', id: 1, name: 'alerts' },
      { component: 'alerts', id: 2, name: 'alerts-state' },
      { component: 'alerts', id: 3, name: 'idx' },
      { component: 'other', id: 1, name: 'x' },
    ]);
    again.close();
  });

  it('rolls a failing migration back entirely and records nothing for it', () => {
    const db = new Database(tmp.db('failing'));
    const bad = { id: 2, name: 'bad', sql: 'CREATE TABLE half (a); INSERT INTO nowhere VALUES (1);' };
    expect(() => runMigrations(db, 'c', [alerts[0]!, bad])).toThrow(/nowhere/);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'").get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT id FROM schema_migrations').pluck().all()).toEqual([1]);
    db.close();
  });

  it('refuses duplicate ids and a recorded id under a new name', () => {
    const db = new Database(tmp.db('conflicts'));
    expect(() => runMigrations(db, 'c', [alerts[0]!, { ...alerts[0]!, name: 'twin' }])).toThrow(
      /duplicate id/,
    );
    runMigrations(db, 'c', [alerts[0]!]);
    expect(() => runMigrations(db, 'c', [{ ...alerts[0]!, name: 'renamed' }])).toThrow(
      /recorded as "alerts"/,
    );
    expect(() => runMigrations(db, 'c', [{ id: 0, name: 'zero', sql: '' }])).toThrow(/positive integer/);
    db.close();
  });
});
