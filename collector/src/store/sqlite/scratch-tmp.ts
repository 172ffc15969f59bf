import { existsSync } from 'node:fs';
import { currentRegions, PROTOCOLS } from '@flyprobe/shared';
import { emptyRollupState, openSqliteStore, type RollupRecord } from '../index.ts';

const path = '/tmp/st/q.db';
const fresh = !existsSync(path);
const store = await openSqliteStore({ path });
const regions = currentRegions()
  .map((r) => r.code)
  .sort()
  .slice(0, 18);
const HOUR = 3_600_000,
  DAY = 24 * HOUR;
const NOW = Date.parse('2026-11-26T03:17:00Z');
if (fresh) {
  for (const protocol of PROTOCOLS)
    for (const from of regions) {
      const records: RollupRecord[] = [];
      for (const to of regions) {
        const pool = Array.from({ length: 4 }, () => {
          const s = emptyRollupState();
          for (let i = 0; i < 240; i++) {
            s.samples++;
            s.ok++;
            const ms = 20 * (1 + 0.25 * Math.random() ** 3);
            s.latCount++;
            s.latSum += ms;
            s.sketch.accept(ms);
          }
          return s;
        });
        const dims = {
          target: 'web',
          path: 'pinned',
          protocol,
          probeRegion: from,
          column: to,
          edge: from,
        } as const;
        for (let b = 0; b < 720; b++)
          records.push({
            tier: 'hour',
            dims,
            bucket: Math.floor((NOW - 30 * DAY) / HOUR) * HOUR + b * HOUR,
            state: pool[b % 4]!,
          });
      }
      store.writeRollups(records);
    }
}
console.log(
  store.db
    .prepare(`EXPLAIN QUERY PLAN SELECT s.probe_region || char(10) || s.column_region, r.samples, r.ok, r.reset, r.lat_count, r.lat_sum, r.sketch
           FROM rollup_series s JOIN rollup_hour r ON r.series_id = s.id
           WHERE s.target = ? AND s.path = ? AND s.protocol = ? AND r.bucket >= ? AND r.bucket < ?`)
    .all('web', 'pinned', 'http', 0, 1),
);
for (const metric of ['p99', 'loss'] as const) {
  const ts: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    await store.matrix({
      target: 'web',
      path: 'pinned',
      protocol: PROTOCOLS[i % 3]!,
      metric,
      from: NOW - DAY,
      to: NOW,
    });
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  console.log(metric, ts[15]!.toFixed(2), ts[29]!.toFixed(2));
}
const st = store.db
  .prepare(
    `SELECT r.samples, r.ok, r.reset, r.lat_count, r.lat_sum, r.sketch FROM rollup_series s JOIN rollup_hour r ON r.series_id = s.id WHERE s.target = ? AND s.path = ? AND s.protocol = ? AND r.bucket >= ? AND r.bucket < ?`,
  )
  .raw(true);
for (let k = 0; k < 5; k++) {
  const t = performance.now();
  const rows = st.all('web', 'pinned', 'http', NOW - DAY - HOUR, NOW + HOUR);
  console.log('sql only', rows.length, (performance.now() - t).toFixed(2));
}
await store.close();
