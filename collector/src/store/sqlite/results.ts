import type { Database } from 'better-sqlite3';
import { type ResultRow, toStored } from '../core/result-row.ts';
import type { ResultFilter, StoredResult } from '../store.ts';

const MAX_LIST_LIMIT = 10_000;

const SELECT_RESULTS = `SELECT r.id, b.probe_id, b.boot_id, r.seq, r.probe_region, r.target, r.path, r.protocol,
    r.target_region, r.started_at, r.received_at, r.outcome, r.latency_ms, r.edge_region, r.served_region,
    r.degraded, r.extra
  FROM results r JOIN probe_boots b ON b.id = r.boot_key`;

function listLimit(limit: number): number {
  return Math.max(0, Math.min(MAX_LIST_LIMIT, Math.trunc(limit)));
}

/** Raw results: filtered listing and the feed (the writer thread inserts them: result-inserts.ts). */
export class ResultTable {
  constructor(private readonly db: Database) {}

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
}
