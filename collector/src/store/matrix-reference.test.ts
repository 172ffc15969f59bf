import { currentRegions, MATRIX_METRICS, OUTCOMES, type ProbeResult } from '@flyprobe/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { rollupWindow } from './core/window.ts';
import { emptyRollupState, type RollupRecord } from './index.ts';
import type { Store } from './store.ts';
import { storeHarnesses, type TestDatabase } from './testing/dialects.ts';
import { probeIdentity, T0 } from './testing/fixtures.ts';
import { referenceMatrix } from './testing/reference-matrix.ts';

const HOUR = 3_600_000;
const KEY = { target: 'web', path: 'anycast', protocol: 'http' } as const;

/** A seeded pseudo-random source: the same dataset on every run and dialect. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

/** Probe regions and columns: catalog codes, a deprecated one and an unknown one; '' is "reached no region". */
const CODES = [...currentRegions().map((r) => r.code), 'atl', 'qqq'];

function dataset(seed: number, count: number, from: number, spanMs: number): ProbeResult[][] {
  const rand = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const probeRegions = Array.from({ length: 5 }, () => pick(CODES));
  const batches = probeRegions.map(() => [] as ProbeResult[]);
  for (let i = 0; i < count; i++) {
    const p = Math.floor(rand() * probeRegions.length);
    const outcome = rand() < 0.8 ? 'ok' : pick(OUTCOMES);
    const batch = batches[p]!;
    batch.push({
      seq: seed * 1_000_000 + i,
      ...KEY,
      protocol: rand() < 0.8 ? 'http' : 'tcp',
      startedAt: from + Math.floor(rand() * spanMs),
      // Log-uniform over 1e-4 .. 1e7 ms: the clamped ends of the sketch included.
      latencyMs: rand() < 0.05 ? undefined : 10 ** (-4 + 11 * rand()),
      phases: {},
      outcome,
      degraded: rand() < 0.1 ? true : undefined,
      edgeRegion: pick(CODES.slice(0, 3)),
      servedRegion: rand() < 0.05 ? undefined : pick(CODES),
    });
  }
  return batches;
}

async function ingest(store: Store, seed: number, batches: ProbeResult[][]): Promise<void> {
  for (const [i, batch] of batches.entries()) {
    const region = CODES[(seed + i) % CODES.length]!;
    await store.insertResults(probeIdentity(region, { probeId: `p${i}` }), batch, T0);
  }
  await store.compactRollups();
}

/** Whole cells through the bulk path, in hours the results also fall in (so blocks hold both). */
function bulkRecords(seed: number): RollupRecord[] {
  const rand = random(seed + 1);
  const records: RollupRecord[] = [];
  for (let h = 0; h < 30; h += 3) {
    const state = emptyRollupState();
    for (let i = 0; i < 50; i++) {
      state.samples++;
      if (rand() < 0.1) {
        state.reset++;
        continue;
      }
      state.ok++;
      const ms = 1 + 300 * rand();
      state.latCount++;
      state.latSum += ms;
      state.sketch.accept(ms);
    }
    const dims = { ...KEY, probeRegion: 'zzz', column: CODES[h % CODES.length]!, edge: 'zzz' };
    records.push({ tier: 'hour', dims, bucket: T0 + h * HOUR, state });
  }
  return records;
}

const WINDOWS = [
  { name: '24 h (hourly rollups)', from: T0 + 6 * HOUR + 1234, to: T0 + 30 * HOUR - 5 },
  { name: '1 h (minute rollups)', from: T0 + 29 * HOUR, to: T0 + 30 * HOUR },
  { name: '30 min inside the data', from: T0 + 2 * HOUR + 1_800_000, to: T0 + 3 * HOUR },
];

/** Every metric of every window and protocol, from the store and from the reference over the same rows. */
async function expectReference(store: Store, db: TestDatabase): Promise<number> {
  let cells = 0;
  for (const w of WINDOWS) {
    const rw = rollupWindow(w.from, w.to);
    const table = rw.stepMs === HOUR ? 'rollup_hour' : 'rollup_minute';
    for (const protocol of ['http', 'tcp'] as const) {
      const rows = (
        await db.rows(
          `SELECT bucket, data FROM ${table} WHERE target = '${KEY.target}' AND path = '${KEY.path}'
           AND protocol = '${protocol}' AND bucket >= ${rw.from} AND bucket < ${rw.to} ORDER BY bucket`,
        )
      ).map((r) => [Number(r[0]), r[1] as Uint8Array] as const);
      for (const metric of MATRIX_METRICS) {
        const got = await store.matrix({ ...KEY, protocol, metric, from: w.from, to: w.to });
        expect(got, `${w.name} ${protocol} ${metric}`).toEqual(referenceMatrix(metric, rows));
        cells += got.length;
      }
    }
  }
  return cells;
}

for (const h of storeHarnesses()) {
  afterAll(() => h.cleanup(), 30_000);
  describe.skipIf(h.skip !== null)(`${h.dialect} matrix${h.skip ? ` (skipped: ${h.skip})` : ''}`, () => {
    it.each([1, 2, 3])(
      'equals the straightforward computation on random dataset %i, cold, re-read and after writes',
      { timeout: 120_000 },
      async (seed) => {
        const db = await h.database(`matrix_reference_${seed}`);
        const store = await db.open();
        try {
          await store.writeRollups(bulkRecords(seed));
          await ingest(store, seed, dataset(seed, 3000, T0, 30 * HOUR));
          expect(await expectReference(store, db)).toBeGreaterThan(100);
          // Read again: kept folds are reused, and must answer the same.
          await expectReference(store, db);
          // New results in the last hour and minute (the blocks after a fold) ...
          await ingest(store, seed + 10, dataset(seed + 10, 200, T0 + 29 * HOUR + 59 * 60_000, 60_000));
          await expectReference(store, db);
          // ... and in earlier blocks (a fold whose blocks changed), also through the bulk path.
          await ingest(store, seed + 20, dataset(seed + 20, 300, T0 + 7 * HOUR, 22 * HOUR));
          await store.writeRollups(bulkRecords(seed + 30));
          await expectReference(store, db);
        } finally {
          await store.close();
        }
      },
    );
  });
}
