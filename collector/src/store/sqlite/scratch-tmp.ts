import { existsSync } from 'node:fs';
import { currentRegions, PROTOCOLS } from '@flyprobe/shared';
import { emptyRollupState, openSqliteStore, type RollupRecord } from '../index.ts';
const path = '/tmp/st/q.db';
const fresh = !existsSync(path);
const store = await openSqliteStore({ path });
const regions = currentRegions().map((r) => r.code).sort().slice(0, 18);
const HOUR = 3_600_000, DAY = 24 * HOUR;
const NOW = Date.parse('2026-11-26T03:17:00Z');
let t = performance.now();
if (fresh) {
  const pools = new Map<string, ReturnType<typeof emptyRollupState>[]>();
  for (const from of regions) for (const to of regions) pools.set(from + to, Array.from({ length: 4 }, () => { const s = emptyRollupState(); for (let i = 0; i < 240; i++) { s.samples++; s.ok++; const ms = 20 * (1 + 0.25 * Math.random() ** 3); s.latCount++; s.latSum += ms; s.sketch.accept(ms); } return s; }));
  for (const protocol of PROTOCOLS) for (let day = 0; day < 30; day++) {
    const records: RollupRecord[] = [];
    for (const from of regions) for (const to of regions) {
      const dims = { target: 'web', path: 'pinned', protocol, probeRegion: from, column: to, edge: from } as const;
      for (let b = day * 24; b < day * 24 + 24; b++) records.push({ tier: 'hour', dims, bucket: Math.floor((NOW - 30 * DAY) / HOUR) * HOUR + b * HOUR, state: pools.get(from + to)![b % 4]! });
    }
    store.writeRollups(records);
  }
}
console.log('load', (performance.now() - t).toFixed(0));
for (const metric of ['p99', 'loss'] as const) {
  const ts: number[] = [];
  for (let i = 0; i < 30; i++) { const t = performance.now(); await store.matrix({ target: 'web', path: 'pinned', protocol: PROTOCOLS[i % 3]!, metric, from: NOW - DAY, to: NOW }); ts.push(performance.now() - t); }
  ts.sort((a, b) => a - b); console.log(metric, ts[15]!.toFixed(2), ts[29]!.toFixed(2));
}
await store.close();
