import { describe, expect, it } from 'vitest';
import { ProbeMetrics } from './metrics.ts';
import { heartbeat, output } from './testing/metrics-inputs.ts';

function metrics(): ProbeMetrics {
  return new ProbeMetrics(
    { heartbeat: () => heartbeat, checksScheduled: () => 2, streamsOpen: () => 0, breakerOpen: () => false },
    { probe: 'iad-1', probe_region: 'iad' },
  );
}

describe('ProbeMetrics', () => {
  it('exposes CPU throttling as three counters and event-loop delay as plain gauges', async () => {
    const text = await metrics().registry.metrics();
    expect(text).toContain('# TYPE flyprobe_probe_cpu_periods_total counter');
    expect(text).toContain('flyprobe_probe_cpu_periods_total{probe="iad-1",probe_region="iad"} 200');
    expect(text).toContain('flyprobe_probe_cpu_throttled_periods_total{probe="iad-1",probe_region="iad"} 30');
    expect(text).toContain(
      'flyprobe_probe_cpu_throttled_seconds_total{probe="iad-1",probe_region="iad"} 1.5',
    );
    expect(text).toContain(
      'flyprobe_probe_event_loop_delay_p99_seconds{probe="iad-1",probe_region="iad"} 0.012',
    );
    expect(text).toContain(
      'flyprobe_probe_event_loop_delay_max_seconds{probe="iad-1",probe_region="iad"} 0.04',
    );
    expect(text).not.toContain('quantile=');
  });

  it('keeps the last result per check, blackbox style', async () => {
    const m = metrics();
    m.observeResult(output({}));
    m.observeResult(
      output({ path: 'anycast', targetRegion: undefined, protocol: 'tcp', httpStatus: undefined }),
    );
    m.observeResult(
      output({
        outcome: 'timeout',
        latencyMs: undefined,
        httpStatus: undefined,
        phases: { connect: 30, total: 2000 },
      }),
    );
    const text = await m.registry.metrics();
    const pinned =
      'target="web",path="pinned",protocol="http",target_region="fra",probe="iad-1",probe_region="iad"';
    expect(text).toContain(`flyprobe_probe_success{${pinned}} 0`);
    expect(text).toContain(`flyprobe_probe_duration_seconds{${pinned}} 2`);
    // The failed last measurement has no latency and no ttfb: neither is left over from the one before.
    expect(text).not.toContain(`flyprobe_probe_latency_seconds{${pinned}}`);
    expect(text).not.toMatch(/flyprobe_probe_phase_duration_seconds\{[^}]*path="pinned"[^}]*phase="ttfb"/);
    expect(text).toContain(
      'flyprobe_probe_phase_duration_seconds{target="web",path="pinned",protocol="http",target_region="fra",phase="connect",probe="iad-1",probe_region="iad"} 0.03',
    );
    const anycast = 'target="web",path="anycast",protocol="tcp",probe="iad-1",probe_region="iad"';
    expect(text).toContain(`flyprobe_probe_success{${anycast}} 1`);
    expect(text).toContain(`flyprobe_probe_latency_seconds{${anycast}} 0.06`);
    expect(text).toContain(
      'flyprobe_probe_phase_duration_seconds{target="web",path="anycast",protocol="tcp",phase="dns",probe="iad-1",probe_region="iad"} 0.002',
    );
    expect(text).toMatch(
      /^flyprobe_probe_results_total\{protocol="http",path="pinned",outcome="timeout",[^}]*\} 1$/m,
    );
  });
});
