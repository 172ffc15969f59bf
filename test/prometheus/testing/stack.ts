import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProbeSettings, type RunningProbe, startProbe } from '@flyprobe/probe';
import {
  probeToken,
  startTestCollector,
  TEST_APP,
  type TestCollector,
} from '../../../collector/src/testing/index.ts';
import { startLoopbackEcho } from '../../../probe/src/echo/testing/loopback-echo.ts';

export const METRICS_TOKEN = 'metrics-secret-0123456789abcdef';

export interface Stack {
  collector: TestCollector;
  probe: RunningProbe;
  probeMetricsUrl: string;
  close(): Promise<void>;
}

/**
 * A real collector (SQLite, HTTP on loopback, /metrics behind a bearer token), a real echo server in
 * `fra` and a real probe in `iad` measuring it over HTTP on the anycast and pinned paths and TCP on anycast every `intervalMs`.
 */
export async function startStack(opts: { intervalMs: number }): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'flyprobe-prom-stack-'));
  const echo = await startLoopbackEcho({ region: 'fra', machineId: 'echo-fra', startedAt: Date.now() });
  const collector = await startTestCollector({ FLYPROBE_METRICS_TOKEN: METRICS_TOKEN });
  const token = await probeToken(collector.url, 'iad-prom', 'iad');
  const file = join(dir, 'probe.toml');
  writeFileSync(
    file,
    `
bind = "127.0.0.1"
[echo]
enabled = false
[metrics]
port = 0
[report]
intervalMs = 200
[[targets]]
name = "web"
host = "127.0.0.1"
regions = ["fra"]
paths = ["anycast", "pinned"]
protocols = ["http", "tcp"]
intervalMs = ${opts.intervalMs}
timeoutMs = 2000
http = { port = ${echo.httpPort} }
tcp = { port = ${echo.tcpPort} }
`,
  );
  const probe = await startProbe(
    loadProbeSettings({
      FLYPROBE_REGION: 'iad',
      FLYPROBE_APP: TEST_APP,
      FLYPROBE_MACHINE_ID: 'prom',
      FLYPROBE_PROBE_ID: 'iad-prom',
      FLYPROBE_CONFIG: file,
      FLYPROBE_COLLECTOR_URL: collector.url,
      FLYPROBE_TOKEN: token,
    }),
  );
  return {
    collector,
    probe,
    probeMetricsUrl: `http://127.0.0.1:${probe.metricsPort}/metrics`,
    async close() {
      await probe.stop();
      await collector.close();
      await echo.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function scrape(url: string, token?: string): Promise<string> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  return res.text();
}
