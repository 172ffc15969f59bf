import { setTimeout as sleep } from 'node:timers/promises';
import { startLab } from '../lab.ts';

const lab = await startLab({
  regions: ['iad', 'dfw', 'lhr', 'fra'],
  targetRegions: ['iad', 'fra'],
  delays: { scale: 0.5 },
  target: { protocols: ['http'], intervalMs: 1000, timeoutMs: 3000 },
});
try {
  await lab.startCollector({ FLYPROBE_REPORT_INTERVAL_MS: '500', FLYPROBE_CONFIG_POLL_MS: '2000' });
  for (const r of lab.regions) await lab.startProbe(r);
  await sleep(20000);
  for (const path of ['private', 'pinned']) {
    const { results } = await lab.api<{
      results: {
        probeRegion: string;
        targetRegion: string;
        latencyMs?: number;
        degraded?: boolean;
        phases: Record<string, number>;
      }[];
    }>(`/v1/results?path=${path}&protocol=http&limit=1000`);
    const cells = new Map<string, number[]>();
    let deg = 0;
    for (const r of results) {
      if (r.degraded) deg++;
      if (r.latencyMs === undefined) continue;
      const k = `${r.probeRegion}>${r.targetRegion}`;
      cells.set(k, [...(cells.get(k) ?? []), r.latencyMs]);
    }
    console.log(path, 'degraded', deg, 'of', results.length);
    for (const [k, v] of [...cells].sort()) {
      v.sort((a, b) => a - b);
      const [p, t] = k.split('>') as [string, string];
      const truth =
        path === 'private' ? (p === t ? 0 : lab.wan.rttMs(p, t)) : lab.wan.rttMs(p, p) + lab.wan.rttMs(p, t);
      console.log(
        path,
        k,
        'n',
        v.length,
        'truth',
        truth.toFixed(2),
        'p10',
        v[Math.floor(v.length / 10)]?.toFixed(2),
        'med',
        v[Math.floor(v.length / 2)]?.toFixed(2),
        'p90',
        v[Math.floor(v.length * 0.9)]?.toFixed(2),
      );
    }
  }
} finally {
  await lab.stop();
}
