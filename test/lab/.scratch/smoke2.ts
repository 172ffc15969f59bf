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
  console.log('collector up', lab.collectorUrl);
  await Promise.all(lab.regions.map((r) => lab.startProbe(r)));
  console.log('probes up');
  await sleep(15000);
  for (const path of ['private', 'pinned', 'anycast']) {
    const res = await fetch(
      `${lab.collectorUrl}/v1/matrix?target=web&path=${path}&protocol=http&metric=p50`,
      { headers: { authorization: `Bearer ${lab.readToken}` } },
    );
    const m = (await res.json()) as { cells: { from: string; to: string; value: number; samples: number }[] };
    for (const c of m.cells) {
      const truth =
        path === 'private'
          ? lab.wan.rttMs(c.from, c.to)
          : path === 'pinned'
            ? lab.wan.rttMs(c.from, c.from) + lab.wan.rttMs(c.from, c.to)
            : NaN;
      console.log(path, c.from, c.to, c.value?.toFixed(2), 'truth', truth.toFixed(2), 'n', c.samples);
    }
  }
  const r = await fetch(`${lab.collectorUrl}/v1/results?limit=5&path=anycast`, {
    headers: { authorization: `Bearer ${lab.readToken}` },
  });
  console.log(JSON.stringify(await r.json()).slice(0, 1500));
  console.log(await lab.emulatorStats().then((s) => ({ f: s.forwarded, d: s.dropped, cpu: s.cpuSeconds })));
} finally {
  await lab.stop();
}
