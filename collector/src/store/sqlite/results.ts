import type { ProbeIdentity, ProbeResult } from '@flyprobe/shared';
import type { Database, Statement } from 'better-sqlite3';
import { extraJson, type ResultRow, toStored } from '../core/result-row.ts';
import type { InsertOutcome, ResultFilter, StoredResult } from '../store.ts';

const MAX_LIST_LIMIT = 10_000;

const SELECT_RESULTS = `SELECT r.id, b.probe_id, b.boot_id, r.seq, r.probe_region, r.target, r.path, r.protocol,
    r.target_region, r.started_at, r.received_at, r.outcome, r.latency_ms, r.edge_region, r.served_region,
    r.degraded, r.extra
  FROM results r JOIN probe_boots b ON b.id = r.boot_key`;

function listLimit(limit: number): number {
  return Math.max(0, Math.min(MAX_LIST_LIMIT, Math.trunc(limit)));
}

/** Raw results: idempotent insert keyed by (probe id, boot id, seq) and filtered listing. */
export class ResultTable {
  private readonly selectBoot: Statement;
  private readonly insertBoot: Statement;
  private readonly insertResult: Statement;
  private readonly bootKeys = new Map<string, number>();

  constructor(private readonly db: Database) {
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
   * Inserts the results; must run inside the caller's transaction. Duplicates (same probe id, boot id, seq,
   * whether from an earlier batch or repeated within this one) are skipped and counted.
   */
  insert(probe: ProbeIdentity, results: readonly ProbeResult[], receivedAt: number): InsertOutcome {
    const bootKey = this.bootKey(probe.probeId, probe.bootId);
    const inserted: StoredResult[] = [];
    let duplicate = 0;
    for (const r of results) {
      const info = this.insertResult.run(
        bootKey,
        r.seq,
        probe.region,
        r.target,
        r.path,
        r.protocol,
        r.targetRegion ?? null,
        r.startedAt,
        receivedAt,
        r.outcome,
        r.latencyMs ?? null,
        r.edgeRegion ?? null,
        r.servedRegion ?? null,
        r.degraded === undefined ? null : r.degraded ? 1 : 0,
        extraJson(r),
      );
      if (info.changes === 0) {
        duplicate++;
        continue;
      }
      inserted.push({
        ...r,
        id: Number(info.lastInsertRowid),
        probeId: probe.probeId,
        bootId: probe.bootId,
        probeRegion: probe.region,
        receivedAt,
      });
    }
    return { inserted, duplicate };
  }

  list(filter: ResultFilter): StoredResult[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.probeId !== undefined) {
      where.push('b.probe_id = ?');
      params.push(filter.probeId);
    }
    const eq: [keyof ResultFilter, string][] = [
      ['probeRegion', 'r.probe_region'],
      ['target', 'r.target'],
      ['path', 'r.path'],
      ['protocol', 'r.protocol'],
    ];
    for (const [field, column] of eq) {
      const value = filter[field];
      if (value !== undefined) {
        where.push(`${column} = ?`);
        params.push(value);
      }
    }
    if (filter.from !== undefined) {
      where.push('r.started_at >= ?');
      params.push(filter.from);
    }
    if (filter.to !== undefined) {
      where.push('r.started_at < ?');
      params.push(filter.to);
    }
    const limit = listLimit(filter.limit);
    const sql = `${SELECT_RESULTS}
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY r.started_at DESC, r.id DESC LIMIT ${limit}`;
    return (this.db.prepare(sql).raw(true).all(params) as ResultRow[]).map(toStored);
  }

  /** Results with ids above `afterId`, in id order: the commit order, as this process is the only writer. */
  after(afterId: number | null, limit: number): { results: StoredResult[]; lastId: number } {
    if (afterId === null) {
      const max = this.db.prepare('SELECT coalesce(max(id), 0) FROM results').pluck().get() as number;
      return { results: [], lastId: max };
    }
    const rows = this.db
      .prepare(`${SELECT_RESULTS} WHERE r.id > ? ORDER BY r.id LIMIT ${listLimit(limit)}`)
      .raw(true)
      .all(afterId) as ResultRow[];
    const results = rows.map(toStored);
    return { results, lastId: results.at(-1)?.id ?? afterId };
  }

  private bootKey(probeId: string, bootId: string): number {
    const k = `${probeId}\n${bootId}`;
    let id = this.bootKeys.get(k);
    if (id === undefined) {
      const found = this.selectBoot.get(probeId, bootId) as number | undefined;
      id = found ?? Number(this.insertBoot.run(probeId, bootId).lastInsertRowid);
      // Only cache ids that already existed: a new one could still be rolled back with the transaction.
      if (found !== undefined) this.bootKeys.set(k, id);
    }
    return id;
  }
}
