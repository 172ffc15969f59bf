import { createInterface } from 'node:readline';
import type { LabZone } from './answers.ts';
import { startLabDns } from './server.ts';

/**
 * The lab DNS as its own process (run at a raised priority so lookups stay fast on a busy machine).
 * Argument: the address to serve on (port 53). Stdin: one JSON zone ({machines, flycast}) per line.
 * Exits when stdin closes.
 */
const address = process.argv[2];
if (!address) {
  process.stderr.write('usage: main.ts ADDRESS\n');
  process.exit(2);
}
const dns = await startLabDns({ address, port: 53, zone: { machines: [], flycast: [] } });
process.stdout.write(`dns ready on ${address}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  try {
    dns.setZone(JSON.parse(line) as LabZone);
  } catch (err) {
    process.stderr.write(`bad zone line: ${(err as Error).message}\n`);
  }
});
lines.on('close', () => {
  void dns.close().finally(() => process.exit(0));
});
process.once('SIGTERM', () => {
  void dns.close().finally(() => process.exit(0));
});
