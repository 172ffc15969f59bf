/**
 * Real Prometheus (Debian `prometheus`) scraping a real collector and a real probe every second, with the
 * shipped recording and alerting rules, sending to a real Alertmanager. A known data set ingested into the
 * collector must come out of the recording rules with the values computed by hand, and a resets fault must
 * fire FlyprobeResets into Alertmanager. Every wait is bounded.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProbeResult } from '@flyprobe/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batch, call, probeIdentity, probeToken, result } from '../../collector/src/testing/index.ts';
import {
  BLACKHOLE_ALERTMANAGER_CONFIG,
  type Daemon,
  missing,
  startAlertmanager,
  startPrometheus,
  until,
} from '../../collector/src/testing/prometheus-daemons.ts';
import { METRICS_TOKEN, type Stack, startStack } from '../prometheus/testing/stack.ts';

const RULES = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));
const skip = missing('prometheus', 'alertmanager');

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

describe.skipIf(skip !== undefined)(
  `Prometheus end to end${skip ? ` (${skip})` : ''}`,
  { timeout: 90_000 },
  () => {
    let dir: string;
    let stack: Stack;
    let am: Daemon;
    let prom: Daemon;

    async function query(expr: string): Promise<Sample[]> {
      const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as { status: string; data: { result: Sample[] }; error?: string };
      if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error}`);
      return body.data.result;
    }

    /** Waits until `expr` has exactly one sample equal to `expected` (to 1e-9); reports the last value seen. */
    async function settlesAt(expr: string, expected: number): Promise<number> {
      let last = 'nothing';
      const v = await until(
        () => `${expr} = ${expected} (last: ${last})`,
        async () => {
          const r = await query(expr);
          last = JSON.stringify(r.map((s) => s.value[1]));
          const n = r.length === 1 ? Number(r[0]?.value[1]) : Number.NaN;
          return Math.abs(n - expected) < 1e-9 ? n : undefined;
        },
        30_000,
      );
      return v;
    }

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'flyprobe-prom-e2e-'));
      stack = await startStack({ intervalMs: 500 });
      writeFileSync(join(dir, 'alertmanager.yml'), BLACKHOLE_ALERTMANAGER_CONFIG);
      am = await startAlertmanager({ dir, configFile: join(dir, 'alertmanager.yml') });
      writeFileSync(join(dir, 'flyprobe.rules.yml'), readFileSync(join(RULES, 'flyprobe.rules.yml')));
      // The shipped alerts unchanged except `for:`, so a fault fires within the test's bounds.
      writeFileSync(
        join(dir, 'flyprobe.alerts.yml'),
        readFileSync(join(RULES, 'flyprobe.alerts.yml'), 'utf8').replace(/^(\s+)for: \S+$/gm, '$1for: 0s'),
      );
      const collector = new URL(stack.collector.url).host;
      const probe = new URL(stack.probeMetricsUrl).host;
      writeFileSync(
        join(dir, 'prometheus.yml'),
        `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [flyprobe.rules.yml, flyprobe.alerts.yml]
alerting:
  alertmanagers:
    - static_configs: [{ targets: ['127.0.0.1:${am.port}'] }]
scrape_configs:
  - job_name: flyprobe-collector
    authorization: { credentials: ${METRICS_TOKEN} }
    static_configs: [{ targets: ['${collector}'] }]
  - job_name: flyprobe-probe
    static_configs: [{ targets: ['${probe}'] }]
`,
      );
      prom = await startPrometheus({ dir, configFile: join(dir, 'prometheus.yml') });
    }, 90_000);

    afterAll(async () => {
      await prom?.stop();
      await am?.stop();
      await stack?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('scrapes both, records the known data set exactly, and fires a resets alert into Alertmanager', async () => {
      await until('both targets up', async () => {
        const up = await query('up == 1');
        return up.length === 2 ? up : undefined;
      });
      // The real probe's measurements reach Prometheus directly and through the collector's cells.
      await settlesAt(
        'flyprobe_probe_success{job="flyprobe-probe",target="web",path="pinned",protocol="http"}',
        1,
      );
      await until('the real probe cell in the recording rules', async () => {
        const r = await query(
          'flyprobe:results:rate5m{target="web",path="pinned",protocol="http",probe_region="iad",target_region="fra",outcome="ok"} > 0',
        );
        return r.length === 1 ? r : undefined;
      });

      // Known data set from a second probe identity. A warm-up failure (eof) creates the cells with every
      // counter the rules read at 0, then one batch adds what the rules must see as the whole increase.
      // (Series starting at 0 make rate() extrapolate all of a cell's series alike: ratios come out exact.)
      const token = await probeToken(stack.collector.url, 'sin-known', 'sin');
      let seq = 0;
      const at = Date.now() - 1000;
      const known = (over: Partial<ProbeResult>): ProbeResult =>
        result(seq++, { target: 'known', path: 'pinned', targetRegion: 'syd', startedAt: at, ...over });
      const broken = (over: Partial<ProbeResult>): ProbeResult =>
        result(seq++, { target: 'broken', path: 'pinned', targetRegion: 'syd', startedAt: at, ...over });
      const failed = { latencyMs: undefined, httpStatus: undefined, phases: { total: 2000 } };
      const ingest = async (results: ProbeResult[]) => {
        const r = await call(`${stack.collector.url}/v1/ingest`, {
          token,
          body: batch(probeIdentity('sin-known', 'sin'), results),
        });
        expect(r.status).toBe(200);
      };
      await ingest([known({ outcome: 'eof', ...failed }), broken({ outcome: 'eof', ...failed })]);
      await until('the warm-up cells scraped twice', async () => {
        const r = await query(
          'count_over_time(flyprobe_results_total{target="known",outcome="timeout"}[1m]) >= 2',
        );
        return r.length === 1 ? r : undefined;
      });
      await ingest([
        ...Array.from({ length: 45 }, () => known({ latencyMs: 15 })),
        ...Array.from({ length: 45 }, () => known({ latencyMs: 70 })),
        ...Array.from({ length: 10 }, () => known({ outcome: 'timeout', ...failed })),
        ...Array.from({ length: 10 }, () => broken({ latencyMs: 15 })),
        ...Array.from({ length: 10 }, () => broken({ outcome: 'reset', ...failed })),
      ]);

      // 90 ok latencies, 45 at 15 ms (bucket 10-20 ms) and 45 at 70 ms (bucket 60-80 ms), interpolated:
      // p50 = 20 ms, p95 = 60 + 20 x (85.5 - 45) / 45 = 78 ms, p99 = 60 + 20 x (89.1 - 45) / 45 = 79.6 ms.
      const cell = '{target="known",path="pinned",protocol="http",probe_region="sin",target_region="syd"}';
      expect(await settlesAt(`flyprobe:latency_seconds:p50_5m${cell}`, 0.02)).toBeCloseTo(0.02, 9);
      expect(await settlesAt(`flyprobe:latency_seconds:p95_5m${cell}`, 0.078)).toBeCloseTo(0.078, 9);
      expect(await settlesAt(`flyprobe:latency_seconds:p99_5m${cell}`, 0.0796)).toBeCloseTo(0.0796, 9);
      // 10 timeouts of 100 results: loss and (timeouts count as resets) reset ratio 10%.
      expect(await settlesAt(`flyprobe:loss:ratio5m${cell}`, 0.1)).toBeCloseTo(0.1, 9);
      expect(await settlesAt(`flyprobe:resets:ratio5m${cell}`, 0.1)).toBeCloseTo(0.1, 9);
      // The broken cell: 10 resets of 20 -> 50%, above FlyprobeResets' 20% and 3.
      expect(await settlesAt('flyprobe:resets:ratio5m{target="broken"}', 0.5)).toBeCloseTo(0.5, 9);

      const alert = await until(
        'FlyprobeResets in Alertmanager',
        async () => {
          const res = await fetch(`${am.url}/api/v2/alerts?filter=alertname%3D%22FlyprobeResets%22`);
          const alerts = (await res.json()) as {
            labels: Record<string, string>;
            annotations: Record<string, string>;
          }[];
          return alerts.find((a) => a.labels.target === 'broken');
        },
        30_000,
      );
      expect(alert.labels).toMatchObject({
        alertname: 'FlyprobeResets',
        severity: 'critical',
        rule: 'resets',
        scope: 'local',
        target: 'broken',
        path: 'pinned',
        protocol: 'http',
        probe_region: 'sin',
        target_region: 'syd',
      });
      expect(alert.annotations.summary).toBe(
        'broken: connection failures from sin to syd over pinned/http (50% of results)',
      );
      // The known cell (10%) stays below the threshold: no alert for it.
      const all = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as {
        labels: Record<string, string>;
      }[];
      expect(
        all.filter((a) => a.labels.target === 'known' && a.labels.alertname === 'FlyprobeResets'),
      ).toEqual([]);
    });
  },
);
