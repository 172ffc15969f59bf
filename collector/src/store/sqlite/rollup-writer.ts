import type { Database, Statement } from 'better-sqlite3';
import { decodeBlockLazy, decodeCellBody, encodeBlock, type LazyCell } from './rollup-block.ts';
import {
  addSample,
  bucketOf,
  emptyRollupState,
  ROLLUP_TIERS,
  type RollupDims,
  type RollupInput,
  type RollupState,
  type RollupTier,
  rollupDims,
} from './rollup-sample.ts';

const WATERMARK_KEY = 'rollup_folded_through';
const TIERS = Object.keys(ROLLUP_TIERS) as RollupTier[];

interface Block {
  tier: RollupTier;
  target: string;
  path: string;
  protocol: string;
  bucket: number;
  cells: Map<string, LazyCell>;
  dirty: boolean;
}

/** A rollup row written as a whole (bulk import, benchmarks). */
export interface RollupRecord {
  tier: RollupTier;
  dims: RollupDims;
  bucket: number;
  state: RollupState;
}

/**
 * Write-behind cache of rollup blocks.
 *
 * Why: merging each result into its row in SQL would mean decoding and re-encoding a sketch per result,
 * which caps ingest far below the raw insert rate. Instead each new result is added to an in-memory copy of
 * its minute and hour cells, and dirty blocks are written back every second (and before every read).
 *
 * Durability: the raw results are the truth and are committed before a batch is acknowledged. Rollups are
 * derived from them: every flush writes the dirty blocks and `rollup_folded_through` (the highest raw id whose
 * result is included) in ONE transaction. Raw ids only grow (AUTOINCREMENT) and are folded in id order, so
 * after a SIGKILL `recover()` folds exactly the raw rows above the watermark: nothing lost, nothing counted
 * twice. Retention must not delete unfolded raw rows, so prune flushes first.
 */
export class RollupWriter {
  private readonly blocks = new Map<string, Block>();
  private cachedCells = 0;
  private foldedThrough: number;
  private dirty = 0;
  private readonly selectBlock: Record<RollupTier, Statement>;
  private readonly upsertBlock: Record<RollupTier, Statement>;
  private readonly setWatermark: Statement;

  constructor(
    private readonly db: Database,
    private readonly maxCachedCells = 100_000,
  ) {
    const select = (tier: RollupTier) =>
      db
        .prepare(
          `SELECT data FROM ${ROLLUP_TIERS[tier].table} WHERE target = ? AND path = ? AND protocol = ? AND bucket = ?`,
        )
        .pluck();
    const upsert = (tier: RollupTier) =>
      db.prepare(
        `INSERT INTO ${ROLLUP_TIERS[tier].table} (target, path, protocol, bucket, cells, data) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (target, path, protocol, bucket) DO UPDATE SET cells = excluded.cells, data = excluded.data`,
      );
    this.selectBlock = { minute: select('minute'), hour: select('hour') };
    this.upsertBlock = { minute: upsert('minute'), hour: upsert('hour') };
    this.setWatermark = db.prepare(
      `INSERT INTO store_meta (key, value) VALUES ('${WATERMARK_KEY}', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    );
    const row = db.prepare(`SELECT value FROM store_meta WHERE key = '${WATERMARK_KEY}'`).get() as
      | { value: number }
      | undefined;
    this.foldedThrough = row?.value ?? 0;
  }

  /** Adds a newly committed raw result (its id above every id folded before) to its rollup cells. */
  fold(id: number, input: RollupInput): void {
    if (id <= this.foldedThrough) return;
    const dims = rollupDims(input);
    for (const tier of TIERS) addSample(this.state(tier, dims, bucketOf(tier, input.startedAt)), input);
    this.foldedThrough = id;
    if (this.cachedCells > this.maxCachedCells) this.flush();
  }

  /** Writes every dirty block and the watermark in one transaction, then trims the cache. */
  flush(now = Date.now()): void {
    if (this.dirty > 0) {
      const dirtyBlocks = [...this.blocks.values()].filter((b) => b.dirty);
      this.db.transaction(() => {
        for (const b of dirtyBlocks) this.write(b);
        this.setWatermark.run(this.foldedThrough);
      })();
      for (const b of dirtyBlocks) b.dirty = false;
      this.dirty = 0;
    }
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

  /** Writes whole cells directly (bulk import), replacing cells with the same key, then flushes. */
  writeRecords(records: readonly RollupRecord[]): void {
    for (const r of records)
      this.putCell(this.block(r.tier, r.dims, r.bucket).cells, cellKey(r.dims), r.dims, r.state);
    this.flush();
  }

  /** Drops cached blocks of buckets retention removes, so a later flush does not write them back. */
  forgetBefore(tier: RollupTier, bucket: number): void {
    for (const [key, b] of this.blocks)
      if (b.tier === tier && b.bucket < bucket && !b.dirty) this.evict(key, b);
  }

  /** The cached block of a cell, loaded when missing, marked dirty (the caller is about to change it). */
  private block(tier: RollupTier, dims: RollupDims, bucket: number): Block {
    const key = `${tier}|${dims.target}|${dims.path}|${dims.protocol}|${bucket}`;
    let block = this.blocks.get(key);
    if (!block) {
      block = this.load(tier, dims, bucket);
      this.blocks.set(key, block);
      this.cachedCells += block.cells.size;
    }
    if (!block.dirty) {
      block.dirty = true;
      this.dirty++;
    }
    return block;
  }

  /** The state of a cell to add to: created empty when new, decoded from its body on first use. */
  private state(tier: RollupTier, dims: RollupDims, bucket: number): RollupState {
    const cells = this.block(tier, dims, bucket).cells;
    const key = cellKey(dims);
    const cell = cells.get(key);
    if (!cell) {
      const state = emptyRollupState();
      this.putCell(cells, key, dims, state);
      return state;
    }
    if (!cell.state) {
      cell.state = decodeCellBody(cell.body!);
      cell.body = undefined;
    }
    return cell.state;
  }

  private putCell(cells: Map<string, LazyCell>, key: string, dims: RollupDims, state: RollupState): void {
    if (!cells.has(key)) this.cachedCells++;
    cells.set(key, {
      probeRegion: dims.probeRegion,
      column: dims.column,
      edge: dims.edge,
      state,
      body: undefined,
    });
  }

  private load(tier: RollupTier, dims: RollupDims, bucket: number): Block {
    const data = this.selectBlock[tier].get(dims.target, dims.path, dims.protocol, bucket) as
      | Buffer
      | undefined;
    const cells = new Map<string, LazyCell>();
    if (data)
      for (const c of decodeBlockLazy(data))
        cells.set(cellKey({ probeRegion: c.probeRegion, column: c.column, edge: c.edge }), c);
    return {
      tier,
      target: dims.target,
      path: dims.path,
      protocol: dims.protocol,
      bucket,
      cells,
      dirty: false,
    };
  }

  private write(b: Block): void {
    this.upsertBlock[b.tier].run(
      b.target,
      b.path,
      b.protocol,
      b.bucket,
      b.cells.size,
      encodeBlock(b.cells.values()),
    );
  }

  private evict(key: string, b: Block): void {
    this.blocks.delete(key);
    this.cachedCells -= b.cells.size;
  }

  /** Keeps the cache bounded: clean blocks of past buckets go first, then the oldest clean blocks. */
  private trim(now: number): void {
    for (const [key, b] of this.blocks) {
      if (!b.dirty && b.bucket + 2 * ROLLUP_TIERS[b.tier].ms < now) this.evict(key, b);
    }
    for (const [key, b] of this.blocks) {
      if (this.cachedCells <= this.maxCachedCells) break;
      if (!b.dirty) this.evict(key, b);
    }
  }
}

function cellKey(d: Pick<RollupDims, 'probeRegion' | 'column' | 'edge'>): string {
  return `${d.probeRegion}|${d.column}|${d.edge}`;
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
