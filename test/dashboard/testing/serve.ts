/**
 * A collector (real SQLite, default plugins) seeded with a data set, for looking at the dashboard by hand and
 * for the dashboard benchmark:
 *
 *   node --import tsx test/dashboard/testing/serve.ts [--port 8099] [--data small|wide] [--live-ms 0]
 *
 * Prints one JSON line {url, pid, read, admin} once seeded. `--live-ms N` ingests one more round of every
 * probe's results every N ms, so answers keep changing as with live probes. SIGINT/SIGTERM stop it.
 */
import { parseArgs } from 'node:util';
import type { ProbeResult } from '@flyprobe/shared';
import { defaultPlugins } from '../../../collector/src/server.ts';
import {
  ADMIN_SECRET,
  READ_SECRET,
  result,
  startTestCollector,
} from '../../../collector/src/testing/index.ts';
import { ingest, probeIdOf, seed } from './dataset.ts';
import { SMALL } from './small-dataset.ts';
import { wideDataset } from './wide-dataset.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8099' },
    data: { type: 'string', default: 'small' },
    'live-ms': { type: 'string', default: '0' },
  },
});
const options = values.data === 'wide' ? wideDataset(6) : SMALL;
const c = await startTestCollector({ FLYPROBE_PORT: values.port ?? '8099' }, { plugins: defaultPlugins });
const data = await seed(c.url, options);
process.stdout.write(
  `${JSON.stringify({ url: c.url, pid: process.pid, read: READ_SECRET, admin: ADMIN_SECRET })}\n`,
);

const liveMs = Number(values['live-ms']);
let timer: NodeJS.Timeout | undefined;
let stopping = false;
if (liveMs > 0) {
  let seq = 1_000_000;
  const round = async () => {
    const now = Date.now();
    for (const from of data.probeRegions) {
      const results: ProbeResult[] = data.targetRegions.flatMap((to) => {
        const ms = options.latency(from, to);
        return ms === undefined
          ? []
          : [
              result(++seq, {
                target: data.target,
                path: 'pinned',
                targetRegion: to,
                startedAt: now,
                latencyMs: ms,
              }),
            ];
      });
      await ingest(c.url, data.tokens.get(from) as string, probeIdOf(from), from, results);
    }
    if (!stopping) timer = setTimeout(next, liveMs);
  };
  const next = () =>
    void round().catch((err: unknown) => {
      if (!stopping) throw err;
    });
  timer = setTimeout(next, liveMs);
}
const stop = () => {
  stopping = true;
  clearTimeout(timer);
  void c.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
