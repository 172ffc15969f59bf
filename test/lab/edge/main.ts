import { EDGE_CONFIG_ENV, type EdgeConfig } from './config.ts';
import { startEdge } from './server.ts';

/** Entry point of one edge process (run inside the region's edge namespace by the lab). */
const raw = process.env[EDGE_CONFIG_ENV];
if (!raw) {
  process.stderr.write(`${EDGE_CONFIG_ENV} must hold the edge config as JSON\n`);
  process.exit(2);
}
const config = JSON.parse(raw) as EdgeConfig;
const edge = await startEdge(config);
process.stdout.write(`edge ${config.region} ready\n`);
const stop = () => {
  void edge.close().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
