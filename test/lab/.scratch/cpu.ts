import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

import { execFileSync } from 'node:child_process';
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
  await sleep(10000);
  const procs = [...lab.probes.values(), ...lab.edges.values(), ...lab.targets.values(), lab.collector!];
  const ticks = () =>
    procs.map((p) => {
      const f = require('node:fs').readFileSync(`/proc/${p.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(f[11]) + Number(f[12]);
    });
  const a = ticks();
  await sleep(10000);
  const b = ticks();
  procs.forEach((p, i) => console.log(p.spec.name, (((b[i]! - a[i]!) / 100 / 10) * 100).toFixed(1) + '%'));
  console.log(execFileSync('uptime').toString());
} finally {
  await lab.stop();
}
