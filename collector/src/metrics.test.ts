import { describe, expect, it } from 'vitest';
import { CollectorMetrics } from './metrics.ts';
import type { StoredResult } from './store/store.ts';

let seq = 0;
function result(over: Partial<StoredResult>): StoredResult {
  seq++;
  return {
    id: seq,
    probeId: 'iad-1',
    bootId: 'b',
    probeRegion: 'iad',
    receivedAt: 1,
    seq,
    target: 'web',
    path: 'pinned',
    protocol: 'http',
    targetRegion: 'fra',
    startedAt: 1_700_000_000_000,
    phases: { connect: 30, ttfb: 70, total: 110 },
    outcome: 'ok',
    latencyMs: 70,
    ...over,
  };
}

const CELL = 'target="web",path="pinned",protocol="http",probe_region="iad",target_region="fra"';

describe('CollectorMetrics per-cell series', () => {
  it('counts results by outcome and buckets ok latencies in seconds per cell', async () => {
    const m = new CollectorMetrics({ maxCells: 10, phases: true, now: () => 1_000 });
    m.observeResult(result({ latencyMs: 15 }), 1_000);
    m.observeResult(result({ latencyMs: 70 }), 1_000);
    m.observeResult(result({ outcome: 'timeout', latencyMs: undefined, phases: { total: 5000 } }), 1_000);
    m.observeResult(result({ latencyMs: 500, degraded: true }), 1_000);
    const text = await m.render();
    expect(text).toContain(`flyprobe_results_total{${CELL},outcome="ok"} 3`);
    expect(text).toContain(`flyprobe_results_total{${CELL},outcome="timeout"} 1`);
    expect(text).toContain(`flyprobe_results_total{${CELL},outcome="reset"} 0`);
    expect(text).not.toContain('outcome="eof"');
    // The degraded sample counts as a result but not as latency.
    expect(text).toContain(`flyprobe_latency_seconds_bucket{${CELL},le="0.02"} 1`);
    expect(text).toContain(`flyprobe_latency_seconds_bucket{${CELL},le="0.08"} 2`);
    expect(text).toContain(`flyprobe_latency_seconds_bucket{${CELL},le="+Inf"} 2`);
    expect(text).toContain(`flyprobe_latency_seconds_count{${CELL}} 2`);
    expect(text).toMatch(
      new RegExp(`flyprobe_latency_seconds_sum\\{${CELL.replace(/[{}]/g, '\\$&')}\\} 0\\.085`),
    );
    expect(text).toContain(`flyprobe_phase_duration_seconds_count{${CELL},phase="connect"} 2`);
    expect(text).toContain(`flyprobe_phase_duration_seconds_bucket{${CELL},phase="total",le="0.25"} 2`);
    expect(text).not.toContain('phase="dns"');
  });

  it('puts anycast results in the served region column, a failure in the last served one', async () => {
    const m = new CollectorMetrics({ maxCells: 10, phases: false, now: () => 1_000 });
    m.observeResult(result({ path: 'anycast', targetRegion: undefined, servedRegion: 'ams' }), 1_000);
    m.observeResult(
      result({ path: 'anycast', targetRegion: undefined, outcome: 'reset', latencyMs: undefined }),
      1_000,
    );
    m.observeResult(
      result({
        probeRegion: 'sin',
        path: 'anycast',
        targetRegion: undefined,
        outcome: 'reset',
        latencyMs: undefined,
      }),
      1_000,
    );
    const text = await m.render();
    expect(text).toContain(
      'flyprobe_results_total{target="web",path="anycast",protocol="http",probe_region="iad",target_region="ams",outcome="reset"} 1',
    );
    expect(text).toContain(
      'flyprobe_results_total{target="web",path="anycast",protocol="http",probe_region="sin",target_region="unknown",outcome="reset"} 1',
    );
    expect(text).not.toContain('flyprobe_phase_duration_seconds');
  });

  it('puts flycast results in the served region column, like anycast', async () => {
    const m = new CollectorMetrics({ maxCells: 10, phases: false, now: () => 1_000 });
    // `flycast` joins the wire path enum on another branch; the cast keeps this test valid before and after.
    const flycast = 'flycast' as StoredResult['path'];
    m.observeResult(
      result({ path: flycast, targetRegion: undefined, servedRegion: 'ams', edgeRegion: 'fra' }),
      1_000,
    );
    expect(await m.render()).toContain(
      'flyprobe_results_total{target="web",path="flycast",protocol="http",probe_region="iad",target_region="ams",outcome="ok"} 1',
    );
  });

  it('never tracks more cells than the limit, counts what it drops, and frees idle cells', async () => {
    let now = 0;
    const m = new CollectorMetrics({ maxCells: 2, phases: true, now: () => now });
    for (const region of ['fra', 'ams', 'lhr', 'cdg']) m.observeResult(result({ targetRegion: region }), now);
    let text = await m.render();
    expect(text).toMatch(/^flyprobe_collector_cells 2$/m);
    expect(text).toMatch(/^flyprobe_collector_cells_limit 2$/m);
    expect(text).toMatch(/^flyprobe_collector_cell_results_dropped_total 2$/m);
    expect(text.match(/^flyprobe_latency_seconds_count\{/gm)).toHaveLength(2);
    now += 61 * 60_000;
    m.observeResult(result({ targetRegion: 'lhr' }), now);
    text = await m.render();
    expect(text).toContain('target_region="lhr"');
    expect(text).not.toContain('target_region="fra"');
    expect(text).toMatch(/^flyprobe_collector_cells 1$/m);
  });
});
