import type { Database, Statement } from 'better-sqlite3';
import {
  addSample,
  bucketOf,
  dimsKey,
  emptyRollupState,
  ROLLUP_TIERS,
  type RollupDims,
  type RollupInput,
  type RollupState,
  type RollupTier,
  rollupDims,
} from './rollup-sample.ts';
import { decodeSketch, encodeSketch } from './sketch.ts';

const WATERMARK_KEY = 'rollup_folded_through';
const TIERS = Object.keys(ROLLUP_TIERS) as RollupTier[];

interface Entry {
  tier: RollupTier;
  dims: RollupDims;
  dimsKey: string;
  bucket: number;
  state: RollupState;
  dirty: boolean;
}

/** A rollup row written as a whole (bulk import, benchmarks). */
export interface RollupRecord {
  tier: RollupTier;
  dims: RollupDims;
  bucket: number;
  state: RollupState;
}

type RawRollupRow = [number, number, number, number, number, number, number, number, number, Buffer];

/**
 * Write-behind cache of rollup rows.
 *
 * Why: merging each result into its row in SQL would mean decoding and re-encoding a sketch blob per result,
 * which caps ingest far below the raw insert rate. Instead each new result is added to an in-memory copy of
 * its minute and hour rows, and dirty rows are written back every second (and before every read).
 *
 * Durability: the raw results are the truth and are committed before a batch is acknowledged. Rollups are
 * derived from them: every flush writes the dirty rows and `rollup_folded_through` (the highest raw id whose
 * result is included) in ONE transaction. Raw ids only grow (AUTOINCREMENT) and are folded in id order, so
 * after a SIGKILL `recover()` folds exactly the raw rows above the watermark: nothing lost, nothing counted
 * twice. Retention must not delete unfolded raw rows, so prune flushes first.
 */
export class RollupWriter {
  private readonly entries = new Map<string, Entry>();
  private readonly seriesIds = new Map<string, number>();
  private foldedThrough: number;
  private dirty = 0;
  private readonly selectSeries: Statement;
  private readonly insertSeries: Statement;
  private readonly selectRow: Record<RollupTier, Statement>;
  private readonly upsertRow: Record<RollupTier, Statement>;
  private readonly setWatermark: Statement;

  constructor(
    private readonly db: Database,
    private readonly maxCachedRows = 20_000,
  ) {
    this.selectSeries = db.prepare(
      'SELECT id FROM rollup_series WHERE target = ? AND path = ? AND protocol = ? AND probe_region = ? AND column_region = ? AND edge_region = ?',
    );
    this.insertSeries = db.prepare(
      'INSERT INTO rollup_series (target, path, protocol, probe_region, column_region, edge_region) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const select = (tier: RollupTier) =>
      db
        .prepare(
          `SELECT samples, ok, reset, refused, timeout, failed_other, degraded, lat_count, lat_sum, sketch FROM ${ROLLUP_TIERS[tier].table} WHERE series_id = ? AND bucket = ?`,
        )
        .raw(true);
    const upsert = (tier: RollupTier) =>
      db.prepare(
        `INSERT OR REPLACE INTO ${ROLLUP_TIERS[tier].table} (series_id, bucket, samples, ok, reset, refused, timeout, failed_other, degraded, lat_count, lat_sum, sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
    this.selectRow = { minute: select('minute'), hour: select('hour') };
    this.upsertRow = { minute: upsert('minute'), hour: upsert('hour') };
    this.setWatermark = db.prepare(
      `INSERT INTO store_meta (key, value) VALUES ('${WATERMARK_KEY}', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    );
    const row = db.prepare(`SELECT value FROM store_meta WHERE key = '${WATERMARK_KEY}'`).get() as
      | { value: number }
      | undefined;
    this.foldedThrough = row?.value ?? 0;
  }

  /** Rows changed in memory and not yet written. */
  get pending(): number {
    return this.dirty;
  }

  /** Adds a newly committed raw result (its id above every id folded before) to its rollup rows. */
  fold(id: number, input: RollupInput): void {
    if (id <= this.foldedThrough) return;
    const dims = rollupDims(input);
    const key = dimsKey(dims);
    for (const tier of TIERS)
      addSample(this.entry(tier, dims, key, bucketOf(tier, input.startedAt)).state, input);
    this.foldedThrough = id;
  }

  /** Writes every dirty row and the watermark in one transaction, then trims the cache. */
  flush(now = Date.now()): void {
    if (this.dirty === 0) {
      this.trim(now);
      return;
    }
    const created = new Map<string, number>();
    const dirtyEntries = [...this.entries.values()].filter((e) => e.dirty);
    this.db.transaction(() => {
      for (const e of dirtyEntries)
        this.writeRow(e.tier, this.seriesIdFor(e.dims, e.dimsKey, created), e.bucket, e.state);
      this.setWatermark.run(this.foldedThrough);
    })();
    for (const [k, id] of created) this.seriesIds.set(k, id);
    for (const e of dirtyEntries) e.dirty = false;
    this.dirty = 0;
    this.trim(now);
  }

  /** Folds raw rows committed after the last flush (after a crash), in chunks; returns how many. */
  recover(chunk = 10_000): number {
    const select = this.db
      .prepare(
        'SELECT id, probe_region, target, path, protocol, target_region, served_region, edge_region, started_at, outcome, latency_ms, degraded FROM results WHERE id > ? ORDER BY id LIMIT ?',
      )
      .raw(true);
    let total = 0;
    for (;;) {
      const rows = select.all(this.foldedThrough, chunk) as RecoverRow[];
      for (const r of rows) {
        this.fold(r[0], {
          probeRegion: r[1],
          target: r[2],
          path: r[3],
          protocol: r[4],
          targetRegion: r[5] ?? undefined,
          servedRegion: r[6] ?? undefined,
          edgeRegion: r[7] ?? undefined,
          startedAt: r[8],
          outcome: r[9],
          latencyMs: r[10] ?? undefined,
          degraded: r[11] === 1,
        });
      }
      total += rows.length;
      this.flush();
      if (rows.length < chunk) return total;
    }
  }

  /** Writes whole rows directly (bulk import); rows in the cache for the same keys are dropped first. */
  writeRecords(records: readonly RollupRecord[]): void {
    this.flush();
    const created = new Map<string, number>();
    this.db.transaction(() => {
      for (const r of records) {
        const key = dimsKey(r.dims);
        this.entries.delete(`${r.tier}|${key}|${r.bucket}`);
        this.writeRow(r.tier, this.seriesIdFor(r.dims, key, created), r.bucket, r.state);
      }
    })();
    for (const [k, id] of created) this.seriesIds.set(k, id);
  }

  /** Drops cached rows of buckets retention removed, so a later flush does not write them back. */
  forgetBefore(tier: RollupTier, bucket: number): void {
    for (const [key, e] of this.entries)
      if (e.tier === tier && e.bucket < bucket && !e.dirty) this.entries.delete(key);
  }

  private entry(tier: RollupTier, dims: RollupDims, key: string, bucket: number): Entry {
    const cacheKey = `${tier}|${key}|${bucket}`;
    let e = this.entries.get(cacheKey);
    if (!e) {
      e = { tier, dims, dimsKey: key, bucket, state: this.load(tier, dims, key, bucket), dirty: false };
      this.entries.set(cacheKey, e);
    }
    if (!e.dirty) {
      e.dirty = true;
      this.dirty++;
    }
    return e;
  }

  private load(tier: RollupTier, dims: RollupDims, key: string, bucket: number): RollupState {
    const seriesId = this.seriesIds.get(key) ?? this.findSeries(dims, key);
    if (seriesId === undefined) return emptyRollupState();
    const row = this.selectRow[tier].get(seriesId, bucket) as RawRollupRow | undefined;
    if (!row) return emptyRollupState();
    return {
      samples: row[0],
      ok: row[1],
      reset: row[2],
      refused: row[3],
      timeout: row[4],
      failedOther: row[5],
      degraded: row[6],
      latCount: row[7],
      latSum: row[8],
      sketch: decodeSketch(row[9]),
    };
  }

  private findSeries(dims: RollupDims, key: string): number | undefined {
    const row = this.selectSeries.get(seriesParams(dims)) as { id: number } | undefined;
    if (row) this.seriesIds.set(key, row.id);
    return row?.id;
  }

  /** Inside a transaction: the id of a series, inserting it when new (recorded in `created` until commit). */
  private seriesIdFor(dims: RollupDims, key: string, created: Map<string, number>): number {
    const known = this.seriesIds.get(key) ?? created.get(key);
    if (known !== undefined) return known;
    const row = this.selectSeries.get(seriesParams(dims)) as { id: number } | undefined;
    const id = row ? row.id : Number(this.insertSeries.run(seriesParams(dims)).lastInsertRowid);
    created.set(key, id);
    return id;
  }

  private writeRow(tier: RollupTier, seriesId: number, bucket: number, s: RollupState): void {
    this.upsertRow[tier].run(
      seriesId,
      bucket,
      s.samples,
      s.ok,
      s.reset,
      s.refused,
      s.timeout,
      s.failedOther,
      s.degraded,
      s.latCount,
      s.latSum,
      encodeSketch(s.sketch),
    );
  }

  /** Keeps the cache bounded: clean rows of past buckets go first, then the oldest clean rows. */
  private trim(now: number): void {
    for (const [key, e] of this.entries) {
      if (!e.dirty && e.bucket + 2 * ROLLUP_TIERS[e.tier].ms < now) this.entries.delete(key);
    }
    if (this.entries.size <= this.maxCachedRows) return;
    for (const [key, e] of this.entries) {
      if (this.entries.size <= this.maxCachedRows) break;
      if (!e.dirty) this.entries.delete(key);
    }
  }
}

type RecoverRow = [
  number,
  string,
  string,
  RollupInput['path'],
  RollupInput['protocol'],
  string | null,
  string | null,
  string | null,
  number,
  RollupInput['outcome'],
  number | null,
  number | null,
];

function seriesParams(d: RollupDims): string[] {
  return [d.target, d.path, d.protocol, d.probeRegion, d.column, d.edge];
}
