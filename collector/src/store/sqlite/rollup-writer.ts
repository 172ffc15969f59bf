import type { Database, Statement } from 'better-sqlite3';
import { ByteWriter } from '../core/bytes.ts';
import { type CellKey, cellKey, rollupColumn } from '../core/cell-key.ts';
import { CellAccumulator } from '../core/rollup-accumulator.ts';
import {
  decodeBlockLazy,
  decodeCellBody,
  encodeLazyBlock,
  encodeStateBody,
  type LazyCell,
} from '../core/rollup-block.ts';
import type { RollupRecord } from '../core/rollup-delta.ts';
import { ROLLUP_TIERS, type RollupInput, type RollupTier } from '../core/rollup-sample.ts';

const WATERMARK_KEY = 'rollup_folded_through';

interface Block {
  group: BlockGroup;
  tier: RollupTier;
  /** Bucket number: bucket start / tier length. */
  index: number;
  cells: Map<CellKey, LazyCell>;
  dirty: boolean;
}

/** The cached blocks of one (target, path, protocol), by tier and bucket number. */
interface BlockGroup {
  target: string;
  path: string;
  protocol: string;
  minute: Map<number, Block>;
  hour: Map<number, Block>;
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
  /** target -> path -> protocol -> group: lookups by the result's own strings, no key string built per result. */
  private readonly groups = new Map<string, Map<string, Map<string, BlockGroup>>>();
  /** Every cached block, oldest first (trimming order). */
  private readonly blocks = new Set<Block>();
  private dirtyBlocks: Block[] = [];
  /** Reused for every block written, so flushing allocates no growing buffers. */
  private readonly encoder = new ByteWriter();
  private cachedCells = 0;
  private foldedThrough: number;
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
    const probeRegion = input.probeRegion;
    const column = rollupColumn(input);
    const edge = input.edgeRegion ?? '';
    const key = cellKey(probeRegion, column, edge);
    const group = this.group(input.target, input.path, input.protocol);
    const at = input.startedAt;
    const { outcome, latencyMs, degraded } = input;
    const minute = this.block(group, 'minute', Math.floor(at / ROLLUP_TIERS.minute.ms));
    this.accumulator(minute, key, probeRegion, column, edge).add(outcome, latencyMs, degraded);
    const hour = this.block(group, 'hour', Math.floor(at / ROLLUP_TIERS.hour.ms));
    this.accumulator(hour, key, probeRegion, column, edge).add(outcome, latencyMs, degraded);
    this.foldedThrough = id;
    if (this.cachedCells > this.maxCachedCells) this.flush();
  }

  /** Writes every dirty block and the watermark in one transaction, then trims the cache. */
  flush(now = Date.now()): number {
    const dirty = this.dirtyBlocks;
    if (dirty.length > 0) {
      this.db.transaction(() => {
        for (const b of dirty) this.write(b);
        this.setWatermark.run(this.foldedThrough);
      })();
      for (const b of dirty) b.dirty = false;
      this.dirtyBlocks = [];
    }
    this.trim(now);
    return dirty.length;
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
    for (const { tier, dims, bucket, state } of records) {
      const group = this.group(dims.target, dims.path, dims.protocol);
      const block = this.block(group, tier, Math.floor(bucket / ROLLUP_TIERS[tier].ms));
      const key = cellKey(dims.probeRegion, dims.column, dims.edge);
      if (!block.cells.has(key)) this.cachedCells++;
      block.cells.set(key, {
        probeRegion: dims.probeRegion,
        column: dims.column,
        edge: dims.edge,
        acc: undefined,
        body: encodeStateBody(state),
      });
    }
    this.flush();
  }

  /** Drops cached blocks of buckets retention removes, so a later flush does not write them back. */
  forgetBefore(tier: RollupTier, bucket: number): void {
    const ms = ROLLUP_TIERS[tier].ms;
    for (const b of this.blocks) if (b.tier === tier && b.index * ms < bucket && !b.dirty) this.evict(b);
  }

  private group(target: string, path: string, protocol: string): BlockGroup {
    let paths = this.groups.get(target);
    if (!paths) {
      paths = new Map();
      this.groups.set(target, paths);
    }
    let protocols = paths.get(path);
    if (!protocols) {
      protocols = new Map();
      paths.set(path, protocols);
    }
    let group = protocols.get(protocol);
    if (!group) {
      group = { target, path, protocol, minute: new Map(), hour: new Map() };
      protocols.set(protocol, group);
    }
    return group;
  }

  /** The cached block of a bucket, loaded when missing, marked dirty (the caller is about to change it). */
  private block(group: BlockGroup, tier: RollupTier, index: number): Block {
    const byIndex = group[tier];
    let block = byIndex.get(index);
    if (!block) {
      block = this.load(group, tier, index);
      byIndex.set(index, block);
      this.blocks.add(block);
      this.cachedCells += block.cells.size;
    }
    if (!block.dirty) {
      block.dirty = true;
      this.dirtyBlocks.push(block);
    }
    return block;
  }

  /** The accumulator of a cell to add to: created empty when new, decoded from its body on first use. */
  private accumulator(
    block: Block,
    key: CellKey,
    probeRegion: string,
    column: string,
    edge: string,
  ): CellAccumulator {
    const cell = block.cells.get(key);
    if (!cell) {
      const acc = new CellAccumulator();
      block.cells.set(key, { probeRegion, column, edge, acc, body: undefined });
      this.cachedCells++;
      return acc;
    }
    if (!cell.acc) {
      cell.acc = decodeCellBody(cell.body!);
      cell.body = undefined;
    }
    return cell.acc;
  }

  private load(group: BlockGroup, tier: RollupTier, index: number): Block {
    const data = this.selectBlock[tier].get(
      group.target,
      group.path,
      group.protocol,
      index * ROLLUP_TIERS[tier].ms,
    ) as Buffer | undefined;
    const cells = new Map<CellKey, LazyCell>();
    if (data) for (const c of decodeBlockLazy(data)) cells.set(cellKey(c.probeRegion, c.column, c.edge), c);
    return { group, tier, index, cells, dirty: false };
  }

  private write(b: Block): void {
    const { target, path, protocol } = b.group;
    this.upsertBlock[b.tier].run(
      target,
      path,
      protocol,
      b.index * ROLLUP_TIERS[b.tier].ms,
      b.cells.size,
      encodeLazyBlock(this.encoder, b.cells.values(), b.cells.size),
    );
  }

  private evict(b: Block): void {
    this.blocks.delete(b);
    b.group[b.tier].delete(b.index);
    this.cachedCells -= b.cells.size;
  }

  /** Keeps the cache bounded: clean blocks of past buckets go first, then the oldest clean blocks. */
  private trim(now: number): void {
    for (const b of this.blocks) {
      const ms = ROLLUP_TIERS[b.tier].ms;
      if (!b.dirty && (b.index + 2) * ms < now) this.evict(b);
    }
    for (const b of this.blocks) {
      if (this.cachedCells <= this.maxCachedCells) break;
      if (!b.dirty) this.evict(b);
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
