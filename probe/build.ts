/**
 * Production bundle of the probe agent: the `flyprobe` CLI (cli/src/main.ts) with the probe and every
 * dependency as ESM, entry `probe/dist/bin/flyprobe.mjs` and chunks under `probe/dist/chunks/`, run by
 * plain node in the probe image. Code splitting follows the CLI's per-command dynamic imports, so
 * `flyprobe probe` loads only the chunks the probe role reaches: V8 keeps every loaded script's source
 * in memory, and the whole CLI in one file held ~6.5 MB of it (test/bench/probe-footprint.ts).
 * Running from TypeScript through tsx costs ~35-40 MB of RSS (its off-thread module loader) that a
 * 256 MB Machine cannot spare. The collector is left out (its native SQLite binding cannot be bundled
 * and the probe image never runs it). The echo .proto is copied to where the bundled code looks for it.
 *
 *   node --import tsx probe/build.ts [--outdir DIR]
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  builtinsViaRequire,
  loadEsbuild,
  NODE_BUNDLE_OPTIONS,
  ROOT as root,
  zodWithoutLocales,
} from '@flyprobe/shared/build';

/**
 * Bundles the CLI into `<outdir>/bin/flyprobe.mjs` (plus `<outdir>/chunks/`) and returns that path;
 * `entry` replaces the CLI for benchmarks that bundle a probe child of their own the same way.
 */
export async function buildProbeBundle(
  outdir: string = join(root, 'probe', 'dist'),
  entry: string = join(root, 'cli', 'src', 'main.ts'),
): Promise<string> {
  rmSync(join(outdir, 'chunks'), { recursive: true, force: true });
  await loadEsbuild().build({
    ...NODE_BUNDLE_OPTIONS,
    entryPoints: { 'bin/flyprobe': entry },
    splitting: true,
    outdir,
    outExtension: { '.js': '.mjs' },
    // One level below outdir like bin/, so shared/src/proto.ts finds ../proto/echo.proto from either.
    chunkNames: 'chunks/[name]-[hash]',
    external: ['@flyprobe/collector', 'better-sqlite3'],
    plugins: [builtinsViaRequire, zodWithoutLocales],
  });
  // shared/src/proto.ts resolves the .proto as ../proto/echo.proto from the running module.
  mkdirSync(join(outdir, 'proto'), { recursive: true });
  copyFileSync(join(root, 'shared', 'proto', 'echo.proto'), join(outdir, 'proto', 'echo.proto'));
  return join(outdir, 'bin', 'flyprobe.mjs');
}

function outdirArg(): string | undefined {
  const i = process.argv.indexOf('--outdir');
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (!v) throw new Error('--outdir: needs a directory');
  return v;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildProbeBundle(outdirArg());
  process.stdout.write(`probe bundle: ${out}\n`);
}
