/**
 * Production bundle of the `flyprobe` CLI with the collector, run by plain node in the collector image: entry
 * `collector/dist/bin/flyprobe.mjs`, chunks under `chunks/`, worker threads under `workers/`, the files the
 * code reads at run time under `assets/` (the dashboard, the echo .proto) and better-sqlite3 (a native addon)
 * under `node_modules/`. Running from TypeScript through tsx costs tens of MB of RSS (its off-thread module
 * loader, and V8 keeps every loaded script's source); code splitting follows the CLI's per-command dynamic
 * imports, so `flyprobe collector` loads only what that role reaches and the operator commands still work.
 * The probe image has its own, smaller bundle (probe/build.ts).
 *
 *   node --import tsx collector/build.ts      (into collector/dist; tests and benches pass a folder of their own)
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  builtinsViaRequire,
  loadEsbuild,
  NODE_BUNDLE_OPTIONS,
  ROOT,
  zodWithoutLocales,
} from '@flyprobe/shared/build';
import { copyBetterSqlite, EXTERNAL } from './build/native.ts';
import { assetPath, emptyRefs, type UrlRefs, urlAssets } from './build/url-assets.ts';

const COMMON = { ...NODE_BUNDLE_OPTIONS, external: EXTERNAL };
const PLUGINS = (refs: UrlRefs) => [urlAssets(refs), builtinsViaRequire, zodWithoutLocales];

/**
 * Bundles the CLI into `<outdir>/bin/flyprobe.mjs` and everything it needs beside it; returns that path. `entry`
 * replaces the CLI (tests of the bundling itself).
 */
export async function buildCollectorBundle(
  outdir: string = join(ROOT, 'collector', 'dist'),
  entry: string = join(ROOT, 'cli', 'src', 'main.ts'),
): Promise<string> {
  rmSync(outdir, { recursive: true, force: true });
  const esbuild = loadEsbuild();
  const refs = emptyRefs();
  await esbuild.build({
    ...COMMON,
    entryPoints: { 'bin/flyprobe': entry },
    splitting: true,
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    plugins: PLUGINS(refs),
  });
  // Each worker is a bundle of its own; one that starts workers adds them to refs as it is built.
  const built = new Set<string>();
  for (
    let pending = [...refs.workers];
    pending.length > 0;
    pending = [...refs.workers].filter(([f]) => !built.has(f))
  ) {
    for (const [file, name] of pending) {
      built.add(file);
      await esbuild.build({
        ...COMMON,
        entryPoints: [file],
        outfile: join(outdir, 'workers', name),
        plugins: PLUGINS(refs),
      });
    }
  }
  for (const [source, dest] of refs.assets) cpSync(source, assetPath(outdir, dest), { recursive: true });
  copyBetterSqlite(outdir);
  return join(outdir, 'bin', 'flyprobe.mjs');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`collector bundle: ${await buildCollectorBundle()}\n`);
}
