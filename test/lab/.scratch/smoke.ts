import { startLab } from '../lab.ts';

const lab = await startLab({
  regions: ['iad', 'dfw', 'lhr', 'fra'],
  targetRegions: ['iad', 'fra'],
  delays: { scale: 0.5 },
  log: console.log,
});
try {
  for (const r of lab.regions) {
    const out = await lab.exec(r, 'curl', [
      '-s',
      '-D',
      '-',
      '-o',
      '/dev/null',
      '-w',
      'connect=%{time_connect} ttfb=%{time_starttransfer}\n',
      `http://[${lab.anycast}]/echo`,
    ]);
    console.log(r, out);
  }
  const out = await lab.exec('dfw', 'curl', [
    '-s',
    '-H',
    'fly-force-region: fra',
    '-w',
    '\nconnect=%{time_connect} ttfb=%{time_starttransfer}\n',
    `http://[${lab.anycast}]/echo`,
  ]);
  console.log('forced', out);
  console.log('wan iad>fra', lab.wan.oneWayMs('iad', 'fra'), 'dfw>iad', lab.wan.oneWayMs('dfw', 'iad'));
  console.log(await lab.emulatorStats().then((s) => ({ f: s.forwarded, d: s.dropped, cpu: s.cpuSeconds })));
} finally {
  await lab.stop();
}
