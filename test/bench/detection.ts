/**
 * Detection benchmark. Figures only: this script never fails on a threshold.
 *
 * 1. Detector cost per ingested result: a synthetic stream shaped like a real deployment (probe regions x
 *    anycast/pinned/private/mesh x http/tcp/grpc, jitter, some failures) fed through every detector in
 *    batches of 500, with an evaluation every batch interval, as the collector does at its benchmark ingest
 *    rate (~100k results/s). Prints µs/result for observe, for evaluate (amortized) and the total.
 * 2. Detection latency per fault type in the network lab (needs root; skipped otherwise or with --no-lab):
 *    injection -> firing and removal -> resolved, in ms and probe intervals.
 *
 *   node --import tsx test/bench/detection.ts [--results 500000] [--regions 18] [--no-lab]
 */

import { currentRegions, type NetworkPath, type Protocol } from '@flyprobe/shared';
import { prng } from '@flyprobe/shared/testing';
import Database from 'better-sqlite3';
import { AlertEngine, SqliteAlertStore } from '../../collector/src/alerts/index.ts';
import { DetectorRegistry, defaultDetectionConfig } from '../../collector/src/detect/index.ts';
import type { StoredResult } from '../../collector/src/store/store.ts';
import { type Episode, faultEpisode, PROBE_INTERVAL_MS, startDetectionLab } from '../e2e/detection-lab.ts';
import { labCapability } from '../lab/index.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name}: must be a positive integer`);
  return v;
}

/** One interval of every probe's checks: anycast, pinned and private to 3 target regions, mesh to 4 peers. */
function* stream(regionCount: number, total: number): Generator<StoredResult[]> {
  const regions = currentRegions()
    .slice(0, regionCount)
    .map((r) => r.code);
  const targets = regions.slice(0, 3);
  const rnd = prng(1);
  const protocols: Protocol[] = ['http', 'tcp', 'grpc'];
  let id = 0;
  let t = Date.parse('2026-11-26T00:00:00Z');
  while (id < total) {
    t += 15_000;
    const batch: StoredResult[] = [];
    for (const p of regions) {
      const add = (path: NetworkPath, protocol: Protocol, to: string | undefined, served: string) => {
        id++;
        const fail = rnd() < 0.01;
        batch.push({
          id,
          seq: id,
          probeId: `${p}-1`,
          bootId: 'b',
          probeRegion: p,
          receivedAt: t + 100,
          target: path === 'mesh' ? 'mesh' : 'web',
          path,
          protocol,
          targetRegion: to,
          startedAt: t + rnd() * 1000,
          outcome: fail ? 'reset' : 'ok',
          latencyMs: fail ? undefined : 10 + rnd() * 20,
          phases: {},
          servedRegion: fail ? undefined : served,
          edgeRegion: p,
          echo: fail
            ? undefined
            : {
                region: served,
                machineId: `m-${served}`,
                startedAt: 1_764_000_000_000,
                imageRef: 'img',
                receivedAt: t + 5,
                requestId: `r${id}`,
              },
        });
      };
      for (const protocol of protocols) {
        add('anycast', protocol, undefined, targets[0] as string);
        for (const r of targets) {
          add('pinned', protocol, r, r);
          add('private', protocol, r, r);
        }
      }
      for (let k = 1; k <= 4; k++) {
        const peer = regions[(regions.indexOf(p) + k) % regions.length] as string;
        add('mesh', 'http', peer, peer);
      }
    }
    yield batch;
  }
}

async function detectorCost(total: number, regionCount: number): Promise<void> {
  const registry = new DetectorRegistry(defaultDetectionConfig());
  registry.setTargets([
    {
      name: 'web',
      regions: currentRegions()
        .slice(0, 3)
        .map((r) => r.code),
    } as never,
  ]);
  const db = new Database(':memory:');
  const engine = new AlertEngine(new SqliteAlertStore(db), { forMs: () => 0, receivers: async () => [] });
  // Warm-up pass so the JIT has compiled the hot paths, then a fresh registry for the measurement.
  // Batches are generated lazily so the bench's own garbage stays small.
  let warm = 0;
  for (const b of stream(regionCount, 20_000)) {
    registry.observe(b);
    warm += b.length;
  }
  let n = 0;
  const measured = new DetectorRegistry(defaultDetectionConfig());
  let observeNs = 0n;
  let evaluateNs = 0n;
  let evaluations = 0;
  let findings = 0;
  // At 100k results/s and one evaluation per second, an evaluation happens every ~100k results.
  const evaluateEvery = 100_000;
  let sinceEval = 0;
  for (const b of stream(regionCount, total)) {
    n += b.length;
    for (let i = 0; i < b.length; i += 500) {
      const chunk = b.slice(i, i + 500);
      const t0 = process.hrtime.bigint();
      measured.observe(chunk);
      observeNs += process.hrtime.bigint() - t0;
      sinceEval += chunk.length;
      if (sinceEval >= evaluateEvery) {
        sinceEval = 0;
        const now = (chunk.at(-1)?.startedAt ?? 0) + 1000;
        const t1 = process.hrtime.bigint();
        const f = measured.evaluate(now);
        await engine.apply(f, now);
        evaluateNs += process.hrtime.bigint() - t1;
        evaluations++;
        findings += f.length;
      }
    }
  }
  const us = (ns: bigint) => Number(ns) / 1000;
  const observePer = us(observeNs) / n;
  const evalPer = us(evaluateNs) / n;
  console.log(
    `detector cost (${n} results after ${warm} warm-up, ${regionCount} probe regions, ${evaluations} evaluations, ${findings} findings):`,
  );
  console.log(`  observe: ${observePer.toFixed(2)} µs/result`);
  console.log(
    `  evaluate + lifecycle: ${(us(evaluateNs) / 1000 / Math.max(1, evaluations)).toFixed(1)} ms per evaluation, ` +
      `${evalPer.toFixed(3)} µs/result amortized at one evaluation per ${evaluateEvery} results`,
  );
  console.log(
    `  total: ${(observePer + evalPer).toFixed(2)} µs/result = ${(((observePer + evalPer) * 100_000) / 1e4).toFixed(1)}% ` +
      'of one core at 100k results/s',
  );
  db.close();
}

async function labLatency(): Promise<void> {
  const capability = labCapability();
  if (!capability.ok) {
    console.log(`detection latency: skipped (${capability.reason})`);
    return;
  }
  const lab = await startDetectionLab();
  const rows: Array<[string, Episode | string]> = [];
  /** One fault; a fault that is not detected is reported, not fatal. */
  const measure = async (name: string, run: () => Promise<Episode>) => {
    try {
      rows.push([name, await run()]);
    } catch (error) {
      rows.push([name, (error as Error).message]);
    }
  };
  try {
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    await measure('catchment misroute', () =>
      faultEpisode(lab, {
        rule: 'misroute',
        labels: { probe_region: 'dfw', region: 'fra' },
        inject: () => lab.misrouteCatchment('dfw', 'fra'),
        remove: () => lab.resetCatchment('dfw'),
      }),
    );
    await measure('proxy misroute', () =>
      faultEpisode(lab, {
        rule: 'misroute',
        labels: { probe_region: 'lhr', region: 'iad' },
        inject: () => lab.misrouteProxy('lhr', 'iad'),
        remove: () => lab.misrouteProxy('lhr', null),
      }),
    );
    await measure('flapping', () =>
      faultEpisode(lab, {
        rule: 'flapping',
        labels: { probe_region: 'lhr' },
        inject: () => lab.flapCatchment('lhr', { edges: ['lhr', 'iad'], periodMs: 3 * PROBE_INTERVAL_MS }),
        remove: async () => {
          lab.stopFlap('lhr');
          await lab.resetCatchment('lhr');
        },
      }),
    );
    let rst: { remove(): Promise<void> } | undefined;
    await measure('resets (RST in dfw)', () =>
      faultEpisode(lab, {
        rule: 'resets',
        labels: { scope: 'probe_region', probe_region: 'dfw' },
        inject: async () => {
          rst = await lab.injectResets('dfw', { daddr: lab.anycast, establishedOnly: false });
        },
        remove: async () => rst?.remove(),
      }),
    );
    await measure('one-way delay iad->fra', () =>
      faultEpisode(lab, {
        rule: 'asymmetry',
        labels: { probe_region: 'iad', region: 'fra', kind: 'one_way' },
        inject: () => lab.addDelay('iad', 'fra', 30),
        remove: () => lab.addDelay('iad', 'fra', 0),
      }),
    );
    await measure('5% loss iad<->fra', () =>
      faultEpisode(lab, {
        rule: 'loss',
        labels: { probe_region: 'fra', region: 'iad' },
        inject: async () => {
          await lab.setLoss('iad', 'fra', 0.05);
          await lab.setLoss('fra', 'iad', 0.05);
        },
        remove: async () => {
          await lab.setLoss('iad', 'fra', 0);
          await lab.setLoss('fra', 'iad', 0);
        },
      }),
    );
    await measure('target restart', () =>
      faultEpisode(lab, {
        rule: 'restart',
        labels: { region: 'fra' },
        inject: () => lab.restartTarget('fra'),
        remove: async () => undefined,
      }),
    );
  } finally {
    await lab.stop();
  }
  console.log(`detection latency in the lab (probe interval ${PROBE_INTERVAL_MS} ms, reports every 100 ms):`);
  for (const [name, e] of rows) {
    if (typeof e === 'string') {
      console.log(`  ${name.padEnd(24)} ${e}`);
      continue;
    }
    console.log(
      `  ${name.padEnd(24)} inject->firing ${String(e.detectMs).padStart(5)} ms (${(e.detectMs / PROBE_INTERVAL_MS).toFixed(1)} intervals)` +
        `   remove->resolved ${String(e.resolveMs).padStart(6)} ms (${(e.resolveMs / PROBE_INTERVAL_MS).toFixed(1)} intervals)`,
    );
  }
}

await detectorCost(arg('results', 500_000), arg('regions', 18));
if (!process.argv.includes('--no-lab')) await labLatency();
