// A real probe process for shutdown tests: started with FLYPROBE_* variables, it prints one JSON line
// per event on stdout and on SIGTERM stops gracefully and exits.
import { loadProbeSettings, startProbe } from '../../index.ts';

const readyAfter = Number(process.env.TEST_READY_AFTER ?? '5');
const settings = loadProbeSettings(process.env);
const probe = await startProbe(settings, { log: (_level, m) => process.stderr.write(`${m}\n`) });
const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
say({ event: 'started', bootId: probe.identity.bootId });
let announced = false;
probe.onResult(() => {
  if (!announced && probe.stats().results >= readyAfter) {
    announced = true;
    say({ event: 'ready' });
  }
});
process.once('SIGTERM', () => {
  const t0 = performance.now();
  void probe.stop().then(() => {
    say({ event: 'stopped', stats: probe.stats(), stopMs: performance.now() - t0 });
    process.exit(0);
  });
});
