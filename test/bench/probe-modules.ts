/**
 * What each library costs the probe process, bundled: every entry below is bundled alone by
 * probe/build.ts (same esbuild options as the shipped bundle), run on node with the Dockerfile's probe
 * ENTRYPOINT flags, and its RSS read after import and a full GC. Each library is measured on top of the
 * node built-ins the probe loads anyway (the floor), so its figure is what dropping it would save; the
 * libraries still share some code, so the figures do not add up exactly. The last row imports the probe
 * agent's whole module graph (probe/src/index.ts) without starting it. Figures only.
 *
 *   node --import tsx test/bench/probe-modules.ts [--runs 3]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProbeBundle } from '../../probe/build.ts';
import { imageNodeFlags } from './probe-shipped.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const i = process.argv.indexOf('--runs');
const RUNS = i >= 0 ? Number(process.argv[i + 1]) : 3;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs: must be an integer >= 1');

/** The node built-ins the probe loads whatever its libraries (checks, health server, gRPC over http2). */
const FLOOR = ['http', 'http2', 'net', 'tls', 'dns/promises', 'dgram', 'crypto', 'fs', 'os', 'perf_hooks']
  .map((b, n) => `import * as b${n} from 'node:${b}';`)
  .join(' ');
const KEEP_FLOOR = `globalThis.__floor = [${FLOOR.split(';')
  .slice(0, -1)
  .map((_, n) => `b${n}`)
  .join(', ')}];`;

/** Entry name -> module source importing `m`; every entry but the empty one loads the floor too. */
const ENTRIES: Record<string, string> = {
  '(empty)': '',
  'node built-ins (floor)': '',
  'floor + undici': "import * as m from 'undici';",
  'floor + undici Client alone (lib/dispatcher/client.js)':
    "import * as m from 'undici/lib/dispatcher/client.js';",
  'floor + node:https': "import * as m from 'node:https';",
  'floor + prom-client': "import * as m from 'prom-client';",
  'floor + zod': "import * as m from 'zod';",
  'floor + @grpc/proto-loader': "import * as m from '@grpc/proto-loader';",
  'floor + smol-toml': "import * as m from 'smol-toml';",
  'floor + p-limit': "import * as m from 'p-limit';",
  'floor + @grpc/grpc-js (echo server only)': "import * as m from '@grpc/grpc-js';",
  'probe agent (probe/src/index.ts)': `import * as m from '${join(root, 'probe', 'src', 'index.ts')}';`,
};

/** Prints the RSS (bytes) after a full GC once the import has settled. */
const MEASURE = `
globalThis.__keep = typeof m === 'undefined' ? undefined : m;
await new Promise((r) => setTimeout(r, 300));
globalThis.gc(); globalThis.gc();
await new Promise((r) => setTimeout(r, 100));
process.stdout.write(String(process.memoryUsage.rss()));
`;

// Under probe/node_modules so the entries resolve the probe's dependencies.
const cache = join(root, 'probe', 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, 'probe-modules-'));
const flags = [...imageNodeFlags(), '--expose-gc'];
interface Row {
  name: string;
  rss: number;
}
const mb = (b: number) => (b / 2 ** 20).toFixed(1);

try {
  const bundles: { name: string; file: string }[] = [];
  let n = 0;
  for (const [name, source] of Object.entries(ENTRIES)) {
    const entry = join(dir, `entry-${n}.ts`);
    const floor = n === 0 ? '' : `${FLOOR}\n${KEEP_FLOOR}\n`;
    writeFileSync(entry, `${floor}${source}\n${MEASURE}`);
    bundles.push({ name, file: await buildProbeBundle(join(dir, `out-${n}`), entry) });
    n += 1;
  }
  console.log(
    `probe-modules: RSS after import + gc, ${RUNS} runs each (median), flags ${flags.join(' ')}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const rows: Row[] = [];
  for (const b of bundles) {
    const samples: number[] = [];
    for (let r = 0; r < RUNS; r++)
      samples.push(
        Number(
          execFileSync(process.execPath, [...flags, b.file], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'inherit'],
          }),
        ),
      );
    samples.sort((x, y) => x - y);
    rows.push({ name: b.name, rss: samples[Math.floor(samples.length / 2)]! });
  }
  const [empty, floor, ...rest] = rows as [Row, Row, ...Row[]];
  console.log(`${empty.name.padEnd(56)} ${mb(empty.rss).padStart(6)} MB`);
  console.log(
    `${floor.name.padEnd(56)} ${mb(floor.rss).padStart(6)} MB  +${mb(floor.rss - empty.rss)} MB over empty`,
  );
  for (const r of rest.sort((x, y) => y.rss - x.rss))
    console.log(
      `${r.name.padEnd(56)} ${mb(r.rss).padStart(6)} MB  +${mb(r.rss - floor.rss)} MB over the floor`,
    );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
