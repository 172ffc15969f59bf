/**
 * Test child for the SIGKILL test: inserts batches forever (bounded) into the store at argv[2] and prints
 * `acked <first> <last>` after each insert resolved, i.e. the moment the collector would answer a probe; every
 * fifth batch it also commits an alert, as an evaluation does, and prints `alert <id>` once that resolved.
 */

import { openSqliteStore } from '../sqlite/sqlite-store.ts';
import { alertRecord, probeIdentity, result } from './fixtures.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: sigkill-child.ts <db path>');
const store = await openSqliteStore({ path, rollupFlushMs: 50 });
const probe = probeIdentity('fra');
const BATCH = 50;
for (let b = 0; b < 2000; b++) {
  const batch = Array.from({ length: BATCH }, (_, i) =>
    result(b * BATCH + i, { latencyMs: 1 + ((b + i) % 97) }),
  );
  await store.insertResults(probe, batch, Date.now());
  // A retry of the previous batch, as a probe would send after a lost answer: must not be stored twice.
  if (b > 0)
    await store.insertResults(
      probe,
      batch.map((r) => ({ ...r, seq: r.seq - BATCH })),
      Date.now(),
    );
  process.stdout.write(`acked ${b * BATCH} ${b * BATCH + BATCH - 1}\n`);
  if (b % 5 === 0) {
    // Not awaited before the next batch: an alert commit shares the writer's group commits with ingest.
    const id = `a${b}`;
    void store.alerts
      .commitAlertChanges({ upsert: [alertRecord(id)], remove: [], notifications: [] })
      .then(() => process.stdout.write(`alert ${id}\n`));
  }
  await new Promise((resolve) => setImmediate(resolve));
}
await store.close();
