import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  batch,
  call,
  heartbeat,
  probeIdentity,
  probeToken,
  result,
  startTestCollector,
  type TestCollector,
} from '../testing/index.ts';

// Real servers and SQLite files on a busy shared machine: generous bounds, never wall-clock assertions.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let tc: TestCollector;
let token: string;
const probe = probeIdentity('p-iad-9', 'iad');

beforeAll(async () => {
  tc = await startTestCollector({});
  token = await probeToken(tc.url, probe.probeId, 'iad');
});
afterAll(async () => tc?.close());

const ingest = (body: unknown) => call(`${tc.url}/v1/ingest`, { token, body });

/** Every sample of a counter by its label set, e.g. `{reason="forbidden"}` -> 1. */
async function samples(name: string): Promise<Map<string, number>> {
  const text = (await call(`${tc.url}/metrics`)).text;
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}(\\{[^}]*\\}) (\\S+)$`).exec(line);
    if (m?.[1]) out.set(m[1], Number(m[2]));
  }
  return out;
}

describe('ingest metrics', () => {
  it('counts each refused batch once, with the one reason that refused it', async () => {
    const refusals: [unknown, string, number][] = [
      [batch({ ...probe, probeId: 'p-other' }, [result(1)]), 'probe_mismatch', 403],
      [batch({ ...probe, echoAddress: '127.0.0.1:80' }, [result(2)]), 'mesh_address', 400],
      [
        batch(probe, [result(3)], { heartbeat: heartbeat({ at: Date.now() + 3_600_000 }) }),
        'future_timestamp',
        400,
      ],
      [{ schemaVersion: 2, probe, results: [] }, 'invalid_batch', 400],
    ];
    for (const [body, reason, status] of refusals) {
      const before = await samples('flyprobe_collector_ingest_rejects_total');
      const batches =
        (await samples('flyprobe_collector_ingest_batches_total')).get('{status="refused"}') ?? 0;
      expect((await ingest(body)).status, reason).toBe(status);
      const after = await samples('flyprobe_collector_ingest_rejects_total');
      const changed = [...after].filter(([labels, n]) => n !== (before.get(labels) ?? 0));
      expect(changed, reason).toEqual([
        [`{reason="${reason}"}`, (before.get(`{reason="${reason}"}`) ?? 0) + 1],
      ]);
      expect((await samples('flyprobe_collector_ingest_batches_total')).get('{status="refused"}')).toBe(
        batches + 1,
      );
    }
  });

  it('counts each rejected result of a stored batch once, by reason, beside the batch totals', async () => {
    const before = await samples('flyprobe_collector_ingest_rejects_total');
    const results: unknown[] = [
      result(10),
      { ...result(11), phases: { ttfb: -1 } },
      result(12, { startedAt: Date.now() + 3_600_000 }),
      result(13, { startedAt: Date.now() - 100 * 3_600_000 }),
      'not a result',
    ];
    const r = await ingest(batch(probe, results));
    expect(r.body).toMatchObject({ accepted: 1, duplicate: 0 });
    const after = await samples('flyprobe_collector_ingest_rejects_total');
    const delta = (reason: string) =>
      (after.get(`{reason="${reason}"}`) ?? 0) - (before.get(`{reason="${reason}"}`) ?? 0);
    expect([delta('invalid_result'), delta('future_timestamp'), delta('past_retention')]).toEqual([2, 1, 1]);
    const fates = await samples('flyprobe_collector_ingest_results_total');
    expect([fates.get('{outcome="accepted"}'), fates.get('{outcome="rejected"}')]).toEqual([1, 4]);
    expect((await samples('flyprobe_collector_ingest_batches_total')).get('{status="stored"}')).toBe(1);
  });
});
