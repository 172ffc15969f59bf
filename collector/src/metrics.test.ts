import { describe, expect, it } from 'vitest';
import { CollectorMetrics } from './metrics.ts';

describe('CollectorMetrics latency gauges', () => {
  it('never tracks more series than the cap and counts what it drops', async () => {
    const m = new CollectorMetrics({ maxLatencySeries: 3, now: () => 1_000 });
    for (const target of ['a', 'b', 'c', 'd', 'e']) {
      for (const ms of [10, 20, 30])
        m.observeLatency({ probeRegion: 'iad', target, path: 'anycast', protocol: 'http' }, ms, 1_000);
    }
    const text = await m.registry.metrics();
    expect(text).toMatch(/^flyprobe_collector_latency_series 3$/m);
    expect(text).toMatch(/^flyprobe_collector_latency_series_dropped_total 6$/m);
    expect(text.match(/^flyprobe_collector_latency_seconds\{/gm)).toHaveLength(9);
    expect(text).toContain(
      'flyprobe_collector_latency_seconds{probe_region="iad",target="a",path="anycast",protocol="http",percentile="50"} 0.02',
    );
  });

  it('forgets idle series so new ones fit under the cap', async () => {
    let now = 0;
    const m = new CollectorMetrics({ maxLatencySeries: 1, now: () => now });
    m.observeLatency({ probeRegion: 'iad', target: 'old', path: 'anycast', protocol: 'http' }, 5, now);
    now += 16 * 60_000;
    m.observeLatency({ probeRegion: 'iad', target: 'new', path: 'anycast', protocol: 'http' }, 7, now);
    const text = await m.registry.metrics();
    expect(text).toContain('target="new"');
    expect(text).not.toContain('target="old"');
    expect(text).toMatch(/^flyprobe_collector_latency_series_dropped_total 0$/m);
  });
});
