#!/usr/bin/env node
// Registers tsx so the CLI runs straight from its TypeScript sources (development and tests; the images
// run bundles of the same sources instead of this file: probe/build.ts's and collector/build.ts's).
import { register } from 'tsx/esm/api';

// engines.node in the root package.json. Older Nodes fail deep inside undici 8 with errors that
// do not say why; `pnpm flyprobe` runs the pinned Node 24 from node_modules/.bin.
const MIN_NODE_MAJOR = 24;
if (Number(process.versions.node.split('.')[0]) < MIN_NODE_MAJOR) {
  process.stderr.write(
    `flyprobe needs Node ${MIN_NODE_MAJOR} or later, this is ${process.version}: run it as \`pnpm flyprobe\` from the checkout (its Node is node_modules/.bin/node)\n`,
  );
  process.exit(1);
}
register();
const { runProcess } = await import('../src/main.ts');
await runProcess();
