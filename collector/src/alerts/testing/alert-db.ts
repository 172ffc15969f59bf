import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../../detect/types.ts';
import { SqliteAlertStore } from '../../store/sqlite/alerts.ts';
import { openDatabase } from '../../store/sqlite/open.ts';

/** A real SQLite file in a temp dir with the alert tables; `reopen` simulates a collector restart. */
export function tempAlertDb() {
  const dir = mkdtempSync(join(tmpdir(), 'flyprobe-alerts-'));
  const path = join(dir, 'collector.db');
  let db = openDatabase(path);
  let store = new SqliteAlertStore(db);
  return {
    path,
    get db() {
      return db;
    },
    get store() {
      return store;
    },
    reopen() {
      db.close();
      db = openDatabase(path);
      store = new SqliteAlertStore(db);
      return store;
    },
    cleanup() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function finding(over: Partial<Finding> = {}): Finding {
  return {
    rule: 'resets',
    labels: { target: 'web', region: 'sin' },
    level: 'fire',
    severity: 'critical',
    scope: 'local',
    summary: 'web: connection failures in sin',
    evidence: { values: { failure_rate: 0.5 }, window: { from: 1, to: 2, samples: 10 }, sampleIds: [1, 2] },
    ...over,
  };
}
