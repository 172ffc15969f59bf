import type { ProbeIdentity, ProbeResult } from '@flyprobe/shared';
import type { Database, Statement } from 'better-sqlite3';
import { storedResult } from '../core/result-row.ts';
import type { InsertOutcome, StoredResult } from '../store.ts';
import { forEachRow, type PackedRows } from './packed-rows.ts';

/**
 * The idempotent insert of raw results, keyed by (probe id, boot id, seq). Runs on the writer thread's
 * connection (writer-worker.ts); the ids it returns travel back to the event loop as one typed array.
 */
export class ResultInserts {
  private readonly selectBoot: Statement;
  private readonly insertBoot: Statement;
  private readonly insertResult: Statement;

  constructor(db: Database) {
    this.selectBoot = db.prepare('SELECT id FROM probe_boots WHERE probe_id = ? AND boot_id = ?').pluck();
    this.insertBoot = db.prepare('INSERT INTO probe_boots (probe_id, boot_id) VALUES (?, ?)');
    this.insertResult = db.prepare(
      `INSERT INTO results (boot_key, seq, probe_region, target, path, protocol, target_region, started_at, received_at,
         outcome, latency_ms, edge_region, served_region, degraded, extra)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (boot_key, seq) DO NOTHING`,
    );
  }

  /**
   * Inserts the packed rows; must run inside the caller's transaction. Returns each row's new id, or 0 for a
   * duplicate (same probe id, boot id, seq, whether from an earlier batch or repeated within this one).
   */
  insert(probe: ProbeIdentity, rows: PackedRows, receivedAt: number): Float64Array<ArrayBuffer> {
    const bootKey = this.bootKey(probe.probeId, probe.bootId);
    const ids = new Float64Array(rows.count);
    forEachRow(rows, (r, i) => {
      const info = this.insertResult.run(
        bootKey,
        r.seq,
        probe.region,
        r.target,
        r.path,
        r.protocol,
        r.targetRegion,
        r.startedAt,
        receivedAt,
        r.outcome,
        r.latencyMs,
        r.edgeRegion,
        r.servedRegion,
        r.degraded,
        r.extra,
      );
      if (info.changes > 0) ids[i] = Number(info.lastInsertRowid);
    });
    return ids;
  }

  /**
   * The boot's key, inserted when new. Looked up once per batch rather than cached: a key inserted (or first
   * seen) inside a group transaction that then rolls back must not outlive it, and a cache filled there did
   * (the retried batches then stored rows under a key no `probe_boots` row had).
   */
  private bootKey(probeId: string, bootId: string): number {
    const found = this.selectBoot.get(probeId, bootId) as number | undefined;
    return found ?? Number(this.insertBoot.run(probeId, bootId).lastInsertRowid);
  }
}

/** The stored results of an insert, from the ids it returned (0: duplicate), in input order. */
export function insertOutcome(
  probe: ProbeIdentity,
  results: readonly ProbeResult[],
  ids: Float64Array,
  receivedAt: number,
): InsertOutcome {
  const inserted: StoredResult[] = [];
  for (let i = 0; i < results.length; i++) {
    const id = ids[i] as number;
    if (id === 0) continue;
    inserted.push(storedResult(results[i] as ProbeResult, id, probe, receivedAt));
  }
  return { inserted, duplicate: results.length - inserted.length };
}
