/**
 * A collector with the small data set on a fixed port, for looking at the dashboard by hand:
 * `node --import tsx test/dashboard/testing/serve.ts [port]`. Ctrl-C stops it.
 */
import { ADMIN_SECRET, READ_SECRET, startTestCollector } from '../../../collector/src/api/testing.ts';
import { defaultPlugins } from '../../../collector/src/server.ts';
import { seed } from './dataset.ts';
import { SMALL } from './small-dataset.ts';

const port = process.argv[2] ?? '8099';
const c = await startTestCollector({ FLYPROBE_PORT: port }, { plugins: defaultPlugins });
await seed(c.url, SMALL);
process.stdout.write(`${c.url}/dashboard/  read ${READ_SECRET}  admin ${ADMIN_SECRET}\n`);
process.once('SIGINT', () => void c.close().then(() => process.exit(0)));
