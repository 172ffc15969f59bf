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
import { builtinModules, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}

/** The slice of esbuild's plugin API the plugins below use. */
interface PluginBuild {
  onResolve(
    options: { filter: RegExp },
    callback: (args: {
      path: string;
      namespace: string;
      importer: string;
    }) => { path: string; namespace?: string; external?: boolean } | undefined,
  ): void;
  onLoad(
    options: { filter: RegExp; namespace: string },
    callback: (args: { path: string }) => { contents: string; loader: 'js'; resolveDir?: string },
  ): void;
}

const BUILTINS = new Set(builtinModules);
const BUILTIN_NAMESPACE = 'flyprobe-node-builtin';
const NO_LOCALES_NAMESPACE = 'flyprobe-zod-no-locales';

/**
 * Node built-ins through require(), not ESM import: an ESM import of `node:http` builds the module
 * namespace, which runs every lazy getter of the builtin (in Node 24 that loads internal undici for
 * http.WebSocket, assert, zlib, worker_threads, webstreams, ...). A CommonJS shim per builtin lets
 * esbuild's interop read each property only when the code uses it (test/bench/probe-modules.ts).
 */
const builtinsThroughRequire = {
  name: 'flyprobe-builtins-through-require',
  setup(build: PluginBuild): void {
    // Bare names too (`from 'http'` in ESM dependencies); the shim's own require() is the real builtin.
    build.onResolve({ filter: /^[a-z_/:]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (!BUILTINS.has(name) && !BUILTINS.has(args.path)) return undefined;
      return args.namespace === BUILTIN_NAMESPACE
        ? { path: args.path, external: true }
        : { path: `node:${name}`, namespace: BUILTIN_NAMESPACE };
    });
    build.onLoad({ filter: /.*/, namespace: BUILTIN_NAMESPACE }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * zod's `z.locales` namespace without its ~50 translations (~300 KB of source that V8 would keep): nothing
 * here calls `z.config(z.locales.xx())`, and the English messages every error text uses come from
 * zod's own `locales/en.js`, imported directly by its schemas.
 */
const zodWithoutLocales = {
  name: 'flyprobe-zod-without-locales',
  setup(build: PluginBuild): void {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer)
        ? { path: join(dirname(args.importer), '..', 'locales', 'en.js'), namespace: NO_LOCALES_NAMESPACE }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: NO_LOCALES_NAMESPACE }, (args) => ({
      contents: "export { default as en } from './en.js';",
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

const root = fileURLToPath(new URL('..', import.meta.url));

/** esbuild as tsx ships it: present wherever tsx is, including the image's production install. */
function loadEsbuild(): Esbuild {
  const fromTsx = createRequire(createRequire(join(root, 'cli', 'package.json')).resolve('tsx'));
  return fromTsx('esbuild') as Esbuild;
}

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
    entryPoints: { 'bin/flyprobe': entry },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    outdir,
    outExtension: { '.js': '.mjs' },
    // One level below outdir like bin/, so shared/src/proto.ts finds ../proto/echo.proto from either.
    chunkNames: 'chunks/[name]-[hash]',
    external: ['@flyprobe/collector', 'better-sqlite3'],
    plugins: [builtinsThroughRequire, zodWithoutLocales],
    // Bundled CommonJS dependencies call require() (the banner heads every chunk).
    banner: {
      js: "import { createRequire as __flyprobeRequire } from 'node:module'; const require = __flyprobeRequire(import.meta.url);",
    },
    // V8 keeps the loaded source in memory; identifiers stay for readable stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
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
