import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missing, promtool, until } from '../../collector/src/testing/prometheus-daemons.ts';
import { METRICS_TOKEN, type Stack, scrape, startStack } from './testing/stack.ts';

const skip = missing('promtool');
const TCP_ECHO = /^flyprobe_phase_duration_seconds_count\{[^}]*protocol="tcp"[^}]*phase="echo"\} [1-9]/m;

describe.skipIf(skip !== undefined)(
  `promtool check metrics on live /metrics${skip ? ` (${skip})` : ''}`,
  () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({ intervalMs: 200 });
      // Wait until both endpoints carry per-target series, so the lint covers them too.
      await until('per-cell series on the collector', async () =>
        TCP_ECHO.test(await scrape(`${stack.collector.url}/metrics`, METRICS_TOKEN)) ? true : undefined,
      );
    });
    afterAll(async () => stack?.close());

    it('refuses what the probe used to expose (guards the check itself)', () => {
      const r = promtool(
        ['check', 'metrics'],
        '# HELP flyprobe_probe_event_loop_delay_seconds d\n# TYPE flyprobe_probe_event_loop_delay_seconds gauge\nflyprobe_probe_event_loop_delay_seconds{quantile="0.99"} 0.01\n',
      );
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(/should not have "quantile" label/);
    });

    it('passes on the probe: per-check series, CPU throttling counters, no reserved labels', async () => {
      const text = await scrape(stack.probeMetricsUrl);
      expect(text).toMatch(/^flyprobe_probe_success\{target="web",path="anycast",protocol="tcp",probe=/m);
      expect(text).toMatch(/^# TYPE flyprobe_probe_event_loop_delay_p99_seconds gauge$/m);
      expect(text).toMatch(/^# TYPE flyprobe_probe_cpu_throttled_seconds_total counter$/m);
      expect(text).not.toMatch(/quantile=/);
      const r = promtool(['check', 'metrics'], text);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    });

    it('passes on the collector, per-cell histograms included', async () => {
      const text = await scrape(`${stack.collector.url}/metrics`, METRICS_TOKEN);
      expect(text).toMatch(
        /^flyprobe_latency_seconds_bucket\{target="web",path="pinned",protocol="http",probe_region="iad",target_region="fra",le="\+Inf"\} [1-9]/m,
      );
      expect(text).toMatch(
        /^flyprobe_phase_duration_seconds_count\{[^}]*protocol="tcp"[^}]*phase="echo"\} [1-9]/m,
      );
      const r = promtool(['check', 'metrics'], text);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    });
  },
);
