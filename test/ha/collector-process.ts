/**
 * A collector in its own process, configured from the environment like a deployed one (`FLYPROBE_*`):
 * prints `READY <url>` once listening and stops gracefully on SIGTERM. Used by the HA test and benchmarks,
 * which SIGKILL it to play a dead Machine.
 */
import { loadCollectorSettings, startCollector } from '@flyprobe/collector';

const quiet = process.env.FLYPROBE_TEST_QUIET === '1';
const running = await startCollector(loadCollectorSettings(process.env), {
  ...(quiet && { log: () => undefined }),
  ...(process.env.FLYPROBE_TEST_NO_PLUGINS === '1' && { plugins: [] }),
});
process.stdout.write(`READY ${running.url}\n`);
process.once('SIGTERM', () => {
  void running.stop().then(() => process.exit(0));
});
