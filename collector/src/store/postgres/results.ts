import type { ProbeIdentity, ProbeResult } from '@flyprobe/shared';
import { extraJson, type ResultRow, storedResult, toStored } from '../core/result-row.ts';
import type { FeedCursor, InsertOutcome, ResultFilter, StoredResult } from '../store.ts';
import type { Queryable } from './pool.ts';

const MAX_LIST_LIMIT = 10_000;

const SELECT_RESULTS = `SELECT r.id, b.probe_id, b.boot_id, r.seq, r.probe_region, r.target, r.path, r.protocol,
    r.target_region, r.started_at, r.received_at, r.outcome, r.latency_ms, r.edge_region, r.served_region,
    r.degraded, r.extra
  FROM results r JOIN probe_boots b ON b.id = r.boot_key`;

// One statement per batch: the rows travel as arrays and are unnested server-side.
/** Parameters: boot key, probe region, received at, then the column arrays of `resultColumns`. */
export const INSERT_RESULTS = `INSERT INTO results (boot_key, seq, probe_region, target, path, protocol, target_region, started_at,
    received_at, outcome, latency_ms, edge_region, served_region, degraded, extra)
  SELECT $1, t.seq, $2, t.target, t.path, t.protocol, t.target_region, t.started_at, $3, t.outcome, t.latency_ms,
    t.edge_region, t.served_region, t.degraded, t.extra
  FROM unnest($4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[],
    $11::float8[], $12::text[], $13::text[], $14::smallint[], $15::text[])
    AS t(seq, target, path, protocol, target_region, started_at, outcome, latency_ms, edge_region, served_region,
      degraded, extra)
  ON CONFLICT (boot_key, seq) DO NOTHING
  RETURNING id, seq`;

/** The batch as the 12 column arrays INSERT_RESULTS unnests (one statement per batch, whatever its size). */
export function resultColumns(results: readonly ProbeResult[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 12 }, () => new Array<unknown>(results.length));
  results.forEach((r, i) => {
    const row = [
      r.seq,
      r.target,
      r.path,
      r.protocol,
      r.targetRegion ?? null,
      r.startedAt,
      r.outcome,
      r.latencyMs ?? null,
      r.edgeRegion ?? null,
      r.servedRegion ?? null,
      r.degraded === undefined ? null : r.degraded ? 1 : 0,
      extraJson(r),
    ];
    for (let k = 0; k < row.length; k++) (cols[k] as unknown[])[i] = row[k];
  });
  return cols;
}

function listLimit(limit: number): number {
  return Math.max(0, Math.min(MAX_LIST_LIMIT, Math.trunc(limit)));
}

/** Raw results on PostgreSQL: idempotent insert keyed by (probe id, boot id, seq), listing and the commit feed. */
export class PgResults {
  /** Boot keys known to be committed. */
  private readonly bootKeys = new Map<string, number>();

  constructor(private readonly pool: Queryable) {}

  /** The small integer of a (probe id, boot id), created in its own statement (an unused one is harmless). */
  async bootKey(probeId: string, bootId: string): Promise<number> {
    const k = `${probeId}\n${bootId}`;
    const cached = this.bootKeys.get(k);
    if (cached !== undefined) return cached;
    const select = 'SELECT id FROM probe_boots WHERE probe_id = $1 AND boot_id = $2';
    let row = (await this.pool.query<{ id: number }>(select, [probeId, bootId])).rows[0];
    // A concurrent insert by another collector makes ours do nothing; the second select then sees its row.
    row ??= (
      await this.pool.query<{ id: number }>(
        'INSERT INTO probe_boots (probe_id, boot_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id',
        [probeId, bootId],
      )
    ).rows[0];
    row ??= (await this.pool.query<{ id: number }>(select, [probeId, bootId])).rows[0];
    if (!row) throw new Error(`probe_boots: no row for ${probeId}/${bootId}`);
    this.bootKeys.set(k, row.id);
    return row.id;
  }

  /**
   * Inserts inside the caller's transaction. Duplicates (same probe id, boot id, seq, whether stored earlier,
   * by another collector, or repeated within this batch) are skipped by ON CONFLICT and counted.
   */
  async insert(
    c: Queryable,
    bootKey: number,
    probe: ProbeIdentity,
    results: readonly ProbeResult[],
    receivedAt: number,
  ): Promise<InsertOutcome> {
    const { rows } = await c.query<{ id: number; seq: number }>(INSERT_RESULTS, [
      bootKey,
      probe.region,
      receivedAt,
      ...resultColumns(results),
    ]);
    const idBySeq = new Map(rows.map((r) => [r.seq, r.id]));
    const inserted: StoredResult[] = [];
    for (const r of results) {
      const id = idBySeq.get(r.seq);
      if (id === undefined) continue;
      // A seq repeated within the batch was stored once: the first occurrence gets the id.
      idBySeq.delete(r.seq);
      inserted.push(storedResult(r, id, probe, receivedAt));
    }
    return { inserted, duplicate: results.length - inserted.length };
  }

  async list(filter: ResultFilter): Promise<StoredResult[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const add = (sql: string, value: string | number) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.probeId !== undefined) add('b.probe_id = ?', filter.probeId);
    if (filter.probeRegion !== undefined) add('r.probe_region = ?', filter.probeRegion);
    if (filter.target !== undefined) add('r.target = ?', filter.target);
    if (filter.path !== undefined) add('r.path = ?', filter.path);
    if (filter.protocol !== undefined) add('r.protocol = ?', filter.protocol);
    if (filter.from !== undefined) add('r.started_at >= ?', filter.from);
    if (filter.to !== undefined) add('r.started_at < ?', filter.to);
    const sql = `${SELECT_RESULTS} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY r.started_at DESC, r.id DESC LIMIT ${listLimit(filter.limit)}`;
    const { rows } = await this.pool.query<ResultRow>({ text: sql, values: params, rowMode: 'array' });
    return rows.map(toStored);
  }

  /**
   * Results in commit order across every collector: ordered by (writing transaction id, id), and only from
   * transactions older than the oldest one still running (`pg_snapshot_xmin`), so a transaction that commits
   * late is never skipped. A cursor is "<txid>:<id>" of the last row returned.
   */
  async after(
    cursor: FeedCursor | null,
    limit: number,
  ): Promise<{ results: StoredResult[]; cursor: FeedCursor }> {
    if (cursor === null) {
      const { rows } = await this.pool.query<{ xmin: string }>(
        'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
      );
      return { results: [], cursor: `${rows[0]?.xmin ?? '0'}:0` };
    }
    const [txid, id] = parseCursor(cursor);
    const { rows } = await this.pool.query<[...ResultRow, string]>({
      text: `${SELECT_RESULTS.replace('r.extra\n', 'r.extra, r.txid::text\n')}
        WHERE (r.txid, r.id) > ($1::xid8, $2::bigint) AND r.txid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY r.txid, r.id LIMIT ${listLimit(limit)}`,
      values: [txid, id],
      rowMode: 'array',
    });
    const last = rows.at(-1);
    return {
      results: rows.map((r) => toStored(r.slice(0, 17) as unknown as ResultRow)),
      cursor: last ? `${last[17]}:${last[0]}` : cursor,
    };
  }
}

function parseCursor(cursor: string): [string, number] {
  const m = /^(\d+):(\d+)$/.exec(cursor);
  if (!m) throw new RangeError(`cursor: "${cursor}" is not a results feed cursor`);
  return [m[1] as string, Number(m[2])];
}
