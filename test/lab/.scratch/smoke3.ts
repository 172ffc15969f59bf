import { setTimeout as sleep } from 'node:timers/promises';
import { startLab } from '../lab.ts';

const lab = await startLab({
  regions: ['iad', 'dfw', 'lhr', 'fra'],
  targetRegions: ['iad', 'fra'],
  delays: { scale: 0.5 },
  log: console.log,
});
try {
  await lab.startCollector({ FLYPROBE_REPORT_INTERVAL_MS: '500', FLYPROBE_CONFIG_POLL_MS: '2000' });
  await Promise.all(lab.regions.map((r) => lab.startProbe(r)));
  await sleep(12000);
  const r = await lab.api<{ results: any[] }>(`/v1/results?limit=1000`);
  const rows = new Map<string, string[]>();
  for (const x of r.results) {
    const k = `${x.path} ${x.protocol} ${x.probeRegion}->${x.targetRegion ?? x.servedRegion}`;
    rows.set(k, [
      ...(rows.get(k) ?? []),
      `${x.latencyMs?.toFixed(1)}${x.degraded ? 'D' : ''}${x.outcome === 'ok' ? '' : x.outcome}`,
    ]);
  }
  for (const [k, v] of [...rows].sort()) console.log(k, v.slice(0, 12).join(' '));
  console.log(
    [
      ...new Set(
        r.results
          .filter((x) => x.errorMessage)
          .map((x) => `${x.path} ${x.protocol} ${x.failedPhase} ${x.errorMessage}`),
      ),
    ]
      .slice(0, 20)
      .join('\n'),
  );
  const m = await lab.api<any>(`/v1/matrix?target=web&path=private&protocol=http`);
  console.log(JSON.stringify(m.cells.slice(0, 3)));
} finally {
  await lab.stop();
}
