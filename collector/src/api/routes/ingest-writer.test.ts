import { join } from 'node:path';
import type { IngestResponse } from '@flyprobe/shared';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { CRASH_PROBE_ID, tempDir } from '../../store/testing/fixtures.ts';
import {
  batch,
  call,
  probeIdentity,
  probeToken,
  result,
  startTestCollector,
  type TestCollector,
  until,
} from '../../testing/index.ts';

// Real servers, SQLite files and writer threads on a busy shared machine: generous bounds, no wall-clock assertions.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const tmp = tempDir();
const started: TestCollector[] = [];
afterAll(async () => {
  for (const tc of started) await tc.close();
  tmp.cleanup();
});

/** The value of one sample of /metrics, 0 when absent. */
async function sample(tc: TestCollector, series: string): Promise<number> {
  const text = (await call(`${tc.url}/metrics`)).text;
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('POST /v1/ingest and the SQLite writer thread', () => {
  it('answers 503 unavailable when the writer thread dies before acknowledging, and stores the re-send once', async () => {
    const store = await openSqliteStore({
      path: tmp.db('crash'),
      writerEntry: new URL('../../store/testing/crashing-writer.ts', import.meta.url),
    });
    const crashing = await startTestCollector({}, { store });
    started.push(crashing);
    const token = await probeToken(crashing.url, CRASH_PROBE_ID, 'fra');
    const body = batch(
      probeIdentity(CRASH_PROBE_ID, 'fra'),
      Array.from({ length: 20 }, (_, i) => result(i)),
    );
    const refused = '{reason="store_unavailable"}';
    const before = await sample(crashing, `flyprobe_collector_ingest_rejects_total${refused}`);
    const answer = await call(`${crashing.url}/v1/ingest`, { token, body });
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ error: { code: 'unavailable' } });
    expect(await sample(crashing, `flyprobe_collector_ingest_rejects_total${refused}`)).toBe(before + 1);
    // The probe sends it again once the writer is back: the crashed thread's commit is found, nothing doubles.
    // (The crashing test writer dies on every batch of this probe, so the re-send goes to a normal store.)
    const rows = await store.listResults({ probeId: CRASH_PROBE_ID, limit: 100 });
    expect(rows.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await crashing.running.stop();
    await store.close();
    const normal = await openSqliteStore({ path: tmp.db('crash') });
    const restarted = await startTestCollector({}, { store: normal });
    started.push(restarted);
    const again = await call(`${restarted.url}/v1/ingest`, {
      token: await probeToken(restarted.url, CRASH_PROBE_ID, 'fra'),
      body,
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ accepted: 0, duplicate: 20, rejected: [] });
    await restarted.running.stop();
    await normal.close();
  });

  it('on stop answers every batch in flight (stored and acknowledged, or refused) and loses none silently', async () => {
    const tc = await startTestCollector();
    started.push(tc);
    const token = await probeToken(tc.url, 'p-fra-1', 'fra');
    const probe = probeIdentity('p-fra-1', 'fra');
    const sends = Array.from({ length: 12 }, (_, b) =>
      fetch(`${tc.url}/v1/ingest`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(
          batch(
            probe,
            Array.from({ length: 200 }, (_, i) => result(b * 200 + i)),
          ),
        ),
      }).then(
        async (res) => ({ status: res.status, body: (await res.json()) as unknown }),
        // Sent after the listener closed: the probe sees a connection error and keeps its results.
        () => ({ status: 0, body: undefined }),
      ),
    );
    // Stopped while batches are being read, validated, written and synced.
    await until('an ingest request in flight', async () =>
      (await sample(tc, 'flyprobe_collector_http_requests_in_flight')) > 1 ? true : undefined,
    );
    const stopping = tc.running.stop();
    const answers = await Promise.all(sends);
    await stopping;
    let acknowledged = 0;
    for (const a of answers) {
      if (a.status === 200) acknowledged += (a.body as IngestResponse).accepted;
      else if (a.status !== 0) {
        expect(a.status).toBe(503);
        expect(a.body).toMatchObject({ error: { code: 'shutting_down' } });
      }
    }
    expect(acknowledged).toBeGreaterThan(0);
    const reopened = await openSqliteStore({ path: join(tc.dir, 'collector.db') });
    try {
      // Exactly the acknowledged results: none acknowledged and missing, none stored behind a refusal.
      expect(await reopened.listResults({ probeId: 'p-fra-1', limit: 10_000 })).toHaveLength(acknowledged);
    } finally {
      await reopened.close();
    }
  });
});
