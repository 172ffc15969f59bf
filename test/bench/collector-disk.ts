/**
 * Bytes on disk per raw result and per rollup cell (issue #4, benchmark 3).
 *
 * Ingests realistic results (18 probe regions x 18 target regions x 3 protocols, one round every 15 s, full
 * phases, echo info and trace ids) through the store, checkpoints, then measures each table and index with
 * dbstat (falling back to page_count x page_size for the whole file).
 *
 *   node --import tsx test/bench/collector-disk.ts [--results 200000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { currentRegions, PROTOCOLS, type ProbeResult } from '@flyprobe/shared';
import { openSqliteStore } from '../../collector/src/store/index.ts';

const { values: args } = parseArgs({ options: { results: { type: 'string', default: '200000' } } });
const TOTAL = Number(args.results);
const ROUND_MS = 15_000;
const regions = currentRegions()
  .map((r) => r.code)
  .sort()
  .slice(0, 18);
const dir = mkdtempSync(join(tmpdir(), 'flyprobe-bench-disk-'));
const store = await openSqliteStore({ path: join(dir, 'disk.db') });
const start = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;

function hex(n: number, len: number): string {
  return n.toString(16).padStart(len, '0').slice(-len);
}

try {
  const seqs = new Map<string, number>();
  let made = 0;
  for (let round = 0; made < TOTAL; round++) {
    const at = start + round * ROUND_MS;
    for (const from of regions) {
      const probe = {
        probeId: `${from}-1`,
        region: from,
        machineId: `e2865${hex(from.charCodeAt(0), 9)}`,
        bootId: 'b7f3c2a1',
        version: '0.1.0',
      };
      const batch: ProbeResult[] = [];
      for (const to of regions) {
        for (const protocol of PROTOCOLS) {
          if (made >= TOTAL) break;
          const seq = seqs.get(from) ?? 0;
          seqs.set(from, seq + 1);
          const latency = 5 + ((seq * 7) % 180) + (seq % 13) / 7;
          batch.push({
            seq,
            target: 'web',
            path: 'pinned',
            protocol,
            targetRegion: to,
            startedAt: at + (seq % 1000),
            latencyMs: latency,
            phases:
              protocol === 'http'
                ? { connect: latency / 2, ttfb: latency, transfer: 0.2, total: latency * 1.5 + 0.2 }
                : { connect: latency / 2, echo: latency, total: latency * 1.5 },
            outcome: 'ok',
            ...(protocol === 'http' && { httpStatus: 200, httpVersion: '1.1' as const, bytes: 412 }),
            edgeRegion: from,
            servedRegion: to,
            servedMachine: `d8d9${hex(to.charCodeAt(1), 10)}`,
            echo: {
              region: to,
              machineId: `d8d9${hex(to.charCodeAt(1), 10)}`,
              startedAt: start - 86_400_000,
              edgeRegion: from,
              receivedAt: at + (seq % 1000) + latency / 2,
              requestId: `01J${hex(seq * 2654435761, 20).toUpperCase()}`,
            },
            traceId: hex(seq * 40503, 16) + hex(made * 2654435761, 16),
          });
          made++;
        }
      }
      await store.insertResults(probe, batch, at + 2000);
    }
  }
  store.flushRollups();
  store.db.pragma('wal_checkpoint(TRUNCATE)');

  const pageSize = store.db.pragma('page_size', { simple: true }) as number;
  const pageCount = store.db.pragma('page_count', { simple: true }) as number;
  const count = (sql: string) => store.db.prepare(sql).pluck().get() as number;
  const raw = count('SELECT count(*) FROM results');
  const minuteCells = count('SELECT coalesce(sum(cells), 0) FROM rollup_minute');
  const hourCells = count('SELECT coalesce(sum(cells), 0) FROM rollup_hour');
  const minuteBlocks = count('SELECT count(*) FROM rollup_minute');
  const hourBlocks = count('SELECT count(*) FROM rollup_hour');
  console.log(
    `${raw.toLocaleString()} raw results over ${(((raw / (regions.length ** 2 * 3)) * 15) / 60) | 0} min of traffic`,
  );
  console.log(`file: ${(pageCount * pageSize).toLocaleString()} bytes (${pageCount} pages of ${pageSize})`);

  let sizes: Map<string, number> | undefined;
  try {
    const rows = store.db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name').all() as {
      name: string;
      bytes: number;
    }[];
    sizes = new Map(rows.map((r) => [r.name, r.bytes]));
  } catch (error) {
    console.log(`dbstat unavailable (${(error as Error).message}); whole-file figure only`);
  }
  if (sizes) {
    const sum = (prefix: RegExp) =>
      [...sizes!].filter(([n]) => prefix.test(n)).reduce((a, [, b]) => a + b, 0);
    const rawBytes = sum(/^(results|sqlite_autoindex_results_\d+|results_started_at|sqlite_sequence)$/);
    const minuteBytes = sum(/^(rollup_minute|sqlite_autoindex_rollup_minute_\d+|rollup_minute_bucket)$/);
    const hourBytes = sum(/^(rollup_hour|sqlite_autoindex_rollup_hour_\d+|rollup_hour_bucket)$/);
    console.log(
      `raw results: ${rawBytes.toLocaleString()} bytes incl. indexes = ${(rawBytes / raw).toFixed(1)} bytes/result`,
    );
    for (const [name, bytes] of [...sizes].filter(([n]) => /results/.test(n)))
      console.log(`  ${name}: ${(bytes / raw).toFixed(1)} bytes/result`);
    console.log(
      `minute rollups: ${minuteCells.toLocaleString()} cells in ${minuteBlocks} blocks, ${minuteBytes.toLocaleString()} bytes = ${(minuteBytes / minuteCells).toFixed(1)} bytes/cell (~${(raw / minuteCells).toFixed(1)} samples/cell)`,
    );
    console.log(
      `hour rollups:   ${hourCells.toLocaleString()} cells in ${hourBlocks} blocks, ${hourBytes.toLocaleString()} bytes = ${(hourBytes / hourCells).toFixed(1)} bytes/cell (~${(raw / hourCells).toFixed(1)} samples/cell)`,
    );
  } else {
    console.log(`whole file / raw results: ${((pageCount * pageSize) / raw).toFixed(1)} bytes/result`);
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
