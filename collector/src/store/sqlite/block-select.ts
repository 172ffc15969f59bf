import type { Database, Statement } from 'better-sqlite3';
import type { BlockRows } from '../core/rollup-read.ts';
import { type BlockSelect, type SelectBlocks, selectBlocksSql } from '../core/rollup-reads.ts';

/**
 * Known blocks compared in SQL at most this many (a week of hours; a 24 h read has 24, a 1 h read 60): each row
 * is matched against the list in turn, and past this a plain read costs less.
 */
const MAX_KNOWN = 256;

/**
 * SQLite's `SelectBlocks`. With `known` blocks (a kept fold's), each row is compared with the known block of
 * its bucket inside SQLite and, when byte-equal, answered with that very array: better-sqlite3 copies every
 * blob it returns into a new Buffer, and a 24 h full-catalog read copied ~750 KiB per query of blocks that had
 * not changed, external memory whose growth alone started a major GC every ~40 queries.
 */
export function sqliteSelectBlocks(db: Database): SelectBlocks {
  const plain = new Map<string, Statement>();
  const against = new Map<string, Statement>();
  return (s: BlockSelect): BlockRows => {
    const known = s.known;
    const n = known?.buckets.length ?? 0;
    if (!known || n === 0 || n > MAX_KNOWN) {
      let stmt = plain.get(s.table);
      if (!stmt) {
        stmt = db.prepare(selectBlocksSql(s.table, () => '?')).raw(true);
        plain.set(s.table, stmt);
      }
      return stmt.all(s.target, s.path, s.protocol, s.from, s.to) as Array<[number, Buffer]>;
    }
    // Statements for a power of two of known blocks, the rest NULL pairs (`WHEN NULL` never matches): a few
    // statements per table, whatever windows are asked for.
    let slots = 1;
    while (slots < n) slots *= 2;
    const name = `${s.table}\n${slots}`;
    let stmt = against.get(name);
    if (!stmt) {
      stmt = db.prepare(selectAgainstKnownSql(s.table, slots)).raw(true);
      against.set(name, stmt);
    }
    const params: unknown[] = [];
    for (let i = 0; i < slots; i++) params.push(known.buckets[i] ?? null, known.blocks[i] ?? null);
    const rows = stmt.all(...params, s.target, s.path, s.protocol, s.from, s.to) as Array<
      [number, Uint8Array | null]
    >;
    // Both lists are in bucket order (one row per bucket in SQLite), so one pass pairs them.
    let k = 0;
    for (const row of rows) {
      if (row[1] !== null) continue;
      while (k < n && known.buckets[k] !== row[0]) k++;
      if (k === n) throw new Error(`rollup read: bucket ${row[0]} matched no known block`);
      row[1] = known.blocks[k]!;
    }
    return rows as Array<[number, Uint8Array]>;
  };
}

/**
 * `selectBlocksSql` with each row's data NULL where it equals the known block of its bucket (`?` pairs of
 * bucket and block first). A CASE over the bucket rather than a joined VALUES list: SQLite materialized that
 * list, blobs and all, into a temporary table per read.
 */
function selectAgainstKnownSql(table: BlockSelect['table'], known: number): string {
  const whens = Array.from({ length: known }, () => 'WHEN ? THEN data = ?').join(' ');
  return `SELECT bucket, CASE WHEN (CASE bucket ${whens} ELSE 0 END) THEN NULL ELSE data END
    FROM ${table}
    WHERE target = ? AND path = ? AND protocol = ? AND bucket >= ? AND bucket < ?
    ORDER BY bucket`;
}
