import { describe, expect, it } from 'vitest';
import { missing, promtool } from '../../collector/src/testing/prometheus-daemons.ts';
import { ProbeMetrics } from '../../probe/src/health/metrics.ts';
import { heartbeat, output } from '../../probe/src/health/testing/metrics-inputs.ts';

const DEFAULTS = { probe: 'iad-1', probe_region: 'iad' };
const promtoolMissing = missing('promtool');

// The probe writes its own exposition text (probe/src/health/exposition.ts): real promtool judges it.
describe('probe exposition', () => {
  it.skipIf(promtoolMissing !== undefined)(
    `the probe's whole /metrics passes promtool check metrics${promtoolMissing ? ` (${promtoolMissing})` : ''}`,
    () => {
      const m = new ProbeMetrics(
        {
          heartbeat: () => heartbeat,
          checksScheduled: () => 2,
          streamsOpen: () => 1,
          breakerOpen: () => true,
        },
        DEFAULTS,
      );
      m.observeResult(output({}));
      m.observeResult(
        output({ outcome: 'timeout', latencyMs: undefined, phases: { connect: 30, total: 2000 } }),
      );
      m.observeResult(
        output({ path: 'anycast', protocol: 'tcp', targetRegion: undefined, httpStatus: undefined }),
      );
      m.dropped.inc({ reason: 'overflow' }, 4);
      m.missedRuns.inc();
      const text = m.registry.metrics();
      expect(text).toMatch(/^flyprobe_probe_check_duration_seconds_count\{[^}]*outcome="timeout"[^}]*\} 1$/m);
      expect(text).toMatch(/^flyprobe_probe_report_circuit_open\{probe="iad-1",probe_region="iad"\} 1$/m);
      const r = promtool(['check', 'metrics'], text);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    },
  );
});
