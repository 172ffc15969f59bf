import { columnRegion, type MatrixResponse, nearestRegion, type ProbeResult } from '@flyprobe/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, labCapability, startLab, waitFor } from '../lab/index.ts';
import {
  applicationAllowance,
  FAST_COLLECTOR_ENV,
  median,
  probeCounters,
  rollupConsistency,
  storedSeqs,
  tolerance,
} from './lab-helpers.ts';

/**
 * End-to-end tests in the network lab: real probe, echo, edge and collector processes in network
 * namespaces, packets delayed by the WAN emulator. One lab for the four tests (they run in order).
 *
 * Configured truth for the matrix test (see test/lab/index.ts):
 * - private P -> R: wan.rttMs(P, R), the sum of both one-way delays; 0 when P = R (same namespace);
 * - pinned P -> R: wan.rttMs(P, E) + wan.rttMs(E, R), E = the edge P's anycast lands on (P itself here);
 * - flycast P: one cell, P -> S with S the target region nearest P (P's own edge chooses it), at
 *   wan.rttMs(P, P) (machine <-> edge) + wan.rttMs(P, S);
 * the probe's TCP connect phase is its pure network RTT (checked within max(2 ms, 5%) on the private path),
 * and so is the gRPC check's HTTP/2 PING on its connection (`phases.ping`, same band);
 * the http check's latencyMs (request sent -> first byte) is one application round trip: the RTT plus
 * the echo's and, on the pinned and flycast paths, the edge's processing (checked within applicationAllowance).
 */

const capability = labCapability();
const REGIONS = ['iad', 'dfw', 'lhr', 'fra'];
const TARGETS = ['iad', 'fra'];
const MIN_SAMPLES = 12;

type Stored = ProbeResult & { probeRegion: string; probeId: string };

describe.skipIf(!capability.ok)(
  `lab end-to-end${capability.ok ? '' : ` (skipped: ${capability.reason})`}`,
  () => {
    let lab: Lab;

    beforeAll(async () => {
      lab = await startLab({
        regions: REGIONS,
        targetRegions: TARGETS,
        // Scaled so that RTTs span ~0-55 ms: fast runs, and 5% of the longest still above the 2 ms floor.
        delays: { scale: 0.5 },
        target: {
          paths: ['anycast', 'pinned', 'private', 'flycast'],
          protocols: ['http', 'grpc'],
          intervalMs: 1000,
          timeoutMs: 3000,
        },
      });
      await lab.startCollector(FAST_COLLECTOR_ENV);
      for (const r of REGIONS) await lab.startProbe(r);
    }, 600_000);

    afterAll(async () => {
      await lab?.stop();
    }, 120_000);

    const results = async (path: string, protocol = 'http') =>
      (
        await lab.api<{ results: Stored[] }>(
          `/v1/results?target=web&path=${path}&protocol=${protocol}&limit=1000`,
        )
      ).results;

    /** Clean samples per "P>R" matrix cell (ok, measured while the probe was healthy) of one measured figure. */
    const cleanSamples = (rs: Stored[], figure: (r: Stored) => number | undefined) => {
      const cells = new Map<string, number[]>();
      for (const r of rs) {
        const v = figure(r);
        const column = columnRegion(r);
        if (r.outcome !== 'ok' || r.degraded || v === undefined || !column) continue;
        const k = `${r.probeRegion}>${column}`;
        cells.set(k, [...(cells.get(k) ?? []), v]);
      }
      return cells;
    };

    const nearest = (p: string) => nearestRegion(p, TARGETS)?.code as string;
    const truth = {
      private: (p: string, r: string) => (p === r ? 0 : lab.wan.rttMs(p, r)),
      pinned: (p: string, r: string) => {
        const edge = lab.catchment.edgeFor(p);
        return lab.wan.rttMs(p, edge) + lab.wan.rttMs(edge, r);
      },
      // Flycast enters the proxy of P's own region, which forwards to the nearest target region.
      flycast: (p: string, r: string) => lab.wan.rttMs(p, p) + lab.wan.rttMs(p, r),
    };
    /** The cells a path fills: every target region where one is asked for, the nearest where fly-proxy picks. */
    const columnsOf = (path: keyof typeof truth, p: string) => (path === 'flycast' ? [nearest(p)] : TARGETS);

    it('1. matrix truth: private, pinned and flycast RTTs match the configured lab, anycast and flycast are served by the nearest region', async () => {
      const report: string[] = [];
      const violations: string[] = [];
      for (const path of ['private', 'pinned', 'flycast'] as const) {
        const rs = await waitFor(
          `${MIN_SAMPLES} clean ${path} samples per cell`,
          async () => {
            const all = await results(path);
            const c = cleanSamples(all, (r) => r.latencyMs);
            const full = REGIONS.every((p) =>
              columnsOf(path, p).every((r) => (c.get(`${p}>${r}`)?.length ?? 0) >= MIN_SAMPLES),
            );
            return full ? all : undefined;
          },
          150_000,
          2000,
        );
        const latency = cleanSamples(rs, (r) => r.latencyMs);
        const connect = cleanSamples(rs, (r) => r.phases.connect);
        const matrix = await lab.api<MatrixResponse>(
          `/v1/matrix?target=web&path=${path}&protocol=http&metric=p50`,
        );
        for (const p of REGIONS)
          for (const r of columnsOf(path, p)) {
            const want = truth[path](p, r);
            const measured = median(latency.get(`${p}>${r}`) as number[]);
            const shown = matrix.cells.find((c) => c.from === p && c.to === r)?.value;
            const line = `${path} ${p}>${r} truth=${want.toFixed(2)} latency=${measured.toFixed(2)} matrix=${shown?.toFixed(2)}`;
            if (path === 'private') {
              // The TCP handshake is the probe's pure network RTT: kernel to kernel, no application in it.
              const rtt = median(connect.get(`${p}>${r}`) as number[]);
              report.push(`${line} connect=${rtt.toFixed(2)} tolerance=${tolerance(want).toFixed(2)}`);
              if (Math.abs(rtt - want) > tolerance(want)) violations.push(`probe connect RTT: ${line}`);
            } else report.push(line);
            // latencyMs is one application round trip: the network RTT plus the echo's (and on pinned,
            // the edge's) processing, so it is never below the truth and stays within a small allowance.
            if (measured < want - tolerance(want) || measured > want + applicationAllowance(want))
              violations.push(`probe latency: ${line}`);
            // The matrix is computed from rollup sketches (1% relative accuracy) of about the same samples (its window is 15 min, the list the newest 1,000).
            if (typeof shown !== 'number' || Math.abs(shown - measured) > 0.05 * measured + 0.5)
              violations.push(`matrix p50 vs probe median: ${line}`);
          }
      }
      // gRPC on the private path: the HTTP/2 PING on the measured connection is the network round trip,
      // without the echo's or the client's processing, so it meets the same band as the TCP handshake.
      const grpc = await waitFor(
        `${MIN_SAMPLES} clean private grpc samples per cell`,
        async () => {
          const all = await results('private', 'grpc');
          const c = cleanSamples(all, (r) => r.phases.ping);
          const full = REGIONS.every((p) =>
            TARGETS.every((r) => (c.get(`${p}>${r}`)?.length ?? 0) >= MIN_SAMPLES),
          );
          return full ? c : undefined;
        },
        150_000,
        2000,
      );
      for (const p of REGIONS)
        for (const r of TARGETS) {
          const want = truth.private(p, r);
          const ping = median(grpc.get(`${p}>${r}`) as number[]);
          const line = `private grpc ${p}>${r} truth=${want.toFixed(2)} ping=${ping.toFixed(2)} tolerance=${tolerance(want).toFixed(2)}`;
          report.push(line);
          if (Math.abs(ping - want) > tolerance(want)) violations.push(`grpc HTTP/2 PING RTT: ${line}`);
        }
      console.log(report.join('\n'));
      expect(violations, report.join('\n')).toEqual([]);
      for (const path of ['anycast', 'flycast']) {
        const ok = (await results(path)).filter((r) => r.outcome === 'ok');
        for (const p of REGIONS) {
          const mine = ok.filter((r) => r.probeRegion === p);
          expect(mine.length, `${path} results from ${p}`).toBeGreaterThan(0);
          for (const r of mine)
            expect([r.edgeRegion, r.servedRegion], `${path} from ${p}`).toEqual([p, nearest(p)]);
        }
      }
      // The flycast matrix has exactly one column per row: the served region, as for anycast.
      const flycast = await lab.api<MatrixResponse>('/v1/matrix?target=web&path=flycast&protocol=http');
      expect(
        flycast.cells
          .filter((c) => c.samples > 0)
          .map((c) => `${c.from}>${c.to}`)
          .sort(),
      ).toEqual(REGIONS.map((p) => `${p}>${nearest(p)}`).sort());
    }, 240_000);

    /** Waits until every probe's current boot has stored seq 0..produced-1 exactly once. */
    const expectAllDelivered = async (produced: Map<string, number>) => {
      await waitFor(
        'every produced result to be stored',
        () => {
          const seqs = storedSeqs(lab);
          for (const [probeId, n] of produced) {
            const boots = seqs.filter((s) => s.probeId === probeId);
            const latest = boots.at(-1);
            if (
              !latest ||
              latest.minSeq !== 0 ||
              latest.distinctSeqs < n ||
              latest.maxSeq + 1 !== latest.distinctSeqs
            )
              return undefined;
          }
          return true;
        },
        120_000,
        1000,
      );
      for (const s of storedSeqs(lab)) {
        expect(s.rows, `${s.probeId} rows vs distinct seqs`).toBe(s.distinctSeqs);
        expect(s.maxSeq - s.minSeq + 1, `${s.probeId} no gap`).toBe(s.distinctSeqs);
      }
    };

    const producedNow = async () => {
      const m = new Map<string, number>();
      for (const r of REGIONS) {
        const c = await probeCounters(lab, r);
        expect(c.dropped, `${r} dropped`).toBe(0);
        m.set(lab.probeId(r), c.produced);
      }
      return m;
    };

    it('2. collector down for a bounded period: every result produced meanwhile arrives, none twice', async () => {
      const before = await producedNow();
      await lab.stopCollector('SIGTERM');
      // Probes keep measuring while the collector is away (they reach targets, not the collector).
      await waitFor(
        'probes to produce results during the outage',
        async () => {
          const now = await producedNow();
          return [...now].every(([id, n]) => n >= (before.get(id) ?? 0) + 10) ? true : undefined;
        },
        60_000,
        500,
      );
      const duringOutage = await producedNow();
      await lab.startCollector(FAST_COLLECTOR_ENV);
      await expectAllDelivered(duringOutage);
    }, 240_000);

    it('3. collector SIGKILLed during steady ingest: no acknowledged result lost, none stored twice', async () => {
      const start = storedSeqs(lab).reduce((a, s) => a + s.rows, 0);
      await waitFor(
        'steady ingest',
        () => (storedSeqs(lab).reduce((a, s) => a + s.rows, 0) > start + 20 ? true : undefined),
        60_000,
        200,
      );
      await lab.stopCollector('SIGKILL');
      expect(lab.collector?.running).toBe(false);
      await lab.startCollector(FAST_COLLECTOR_ENV);
      const produced = await producedNow();
      await expectAllDelivered(produced);
      // Rollups rebuilt after the kill count every stored result exactly once. Stopping the probes first
      // freezes the numbers (SIGTERM flushes them, so they stay comparable).
      for (const r of REGIONS) await lab.stopProbe(r, 'SIGTERM');
      const { results: n, matrixSamples } = await rollupConsistency(lab);
      expect(matrixSamples).toBe(n);
      for (const r of REGIONS) await lab.startProbe(r);
    }, 240_000);

    it('4. probe sent SIGTERM: its buffered results reach the collector before it exits', async () => {
      // Probes report only once a minute now, so results pile up in their buffers.
      await lab.stopCollector('SIGTERM');
      await lab.startCollector({ ...FAST_COLLECTOR_ENV, FLYPROBE_REPORT_INTERVAL_MS: '60000' });
      await lab.stopProbe('lhr');
      await lab.startProbe('lhr');
      const id = lab.probeId('lhr');
      const counters = await waitFor(
        'the new lhr probe to buffer results',
        async () => {
          const c = await probeCounters(lab, 'lhr');
          return c.buffered >= 10 ? c : undefined;
        },
        60_000,
        500,
      );
      const exit = await lab.stopProbe('lhr', 'SIGTERM');
      expect(exit?.code).toBe(0);
      const boots = storedSeqs(lab).filter((s) => s.probeId === id);
      const latest = boots.at(-1);
      expect(boots.length).toBeGreaterThanOrEqual(2);
      expect(latest?.minSeq).toBe(0);
      expect(latest?.rows).toBe(latest?.distinctSeqs);
      expect((latest?.maxSeq ?? -1) + 1).toBe(latest?.distinctSeqs);
      expect(latest?.distinctSeqs).toBeGreaterThanOrEqual(counters.produced);
      expect(counters.dropped).toBe(0);
    }, 240_000);
  },
);
