import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { type LoadResult, type Plugin, ROOT } from '@flyprobe/shared/build';

/** `new URL('./x', import.meta.url)` with a literal path: what the bundle can relocate. */
const URL_REF = /new URL\(\s*(['"])(\.{1,2}\/[^'"]*)\1\s*,\s*import\.meta\.url\s*\)/g;
/** Module-relative paths the bundle cannot follow (every module lands in some chunk). */
const UNFOLLOWABLE = /import\.meta\.dirname|import\.meta\.filename|fileURLToPath\(\s*import\.meta\.url\s*\)/;
const CODE = new Set(['.ts', '.mts', '.js', '.mjs']);

/** What the sources reach by URL: code run as its own entry (worker threads) and files or folders read at run time. */
export interface UrlRefs {
  /** Source file -> bundled name under `<outdir>/workers/`. */
  workers: Map<string, string>;
  /** Source file or folder -> path under `<outdir>/assets/`. */
  assets: Map<string, string>;
}

export function emptyRefs(): UrlRefs {
  return { workers: new Map(), assets: new Map() };
}

function workerName(refs: UrlRefs, file: string): string {
  const name = `${basename(file, extname(file))}.mjs`;
  for (const [other, taken] of refs.workers)
    if (taken === name && other !== file)
      throw new Error(`two workers bundle to workers/${name}: ${other}, ${file}`);
  return name;
}

/**
 * Rewrites each `new URL('./rel', import.meta.url)` in the workspace's sources to where the bundle puts its
 * target, one level below the bundle's root like `bin/`, `chunks/` and `workers/`, so `../` reaches it from any
 * chunk: code (a worker thread's entry, like the SQLite writer's `writer-worker.ts`) becomes a bundled entry under
 * `workers/`, anything else a copy under `assets/` (a folder when the path ends in `/`). A target that does not
 * exist, or a module that finds files from its own location another way, fails the build.
 */
export function urlAssets(refs: UrlRefs): Plugin {
  return {
    name: 'url-assets',
    setup(build) {
      build.onLoad({ filter: /\.(ts|mts|mjs|js)$/ }, (args): LoadResult | undefined => {
        if (args.path.split(sep).includes('node_modules')) return undefined;
        const source = readFileSync(args.path, 'utf8');
        const where = relative(ROOT, args.path);
        if (UNFOLLOWABLE.test(source))
          return {
            errors: [
              { text: `${where}: locates files from its own path; use new URL('./file', import.meta.url)` },
            ],
          };
        const errors: { text: string }[] = [];
        const contents = source.replace(URL_REF, (whole, _q: string, rel: string) => {
          const target = resolve(dirname(args.path), rel);
          if (!existsSync(target) || (rel.endsWith('/') && !statSync(target).isDirectory())) {
            errors.push({ text: `${where}: ${whole}: ${relative(ROOT, target)} does not exist` });
            return whole;
          }
          if (CODE.has(extname(target))) {
            const name = workerName(refs, target);
            refs.workers.set(target, name);
            return `new URL('../workers/${name}', import.meta.url)`;
          }
          // By its path in the repository (a file elsewhere, as in tests, by its absolute path), inside assets/.
          const inRepo = relative(ROOT, target);
          const dest = (inRepo.startsWith('..') ? join('outside', target) : inRepo).split(sep).join('/');
          refs.assets.set(target, dest);
          return `new URL('../assets/${dest}${rel.endsWith('/') ? '/' : ''}', import.meta.url)`;
        });
        if (errors.length > 0) return { errors };
        if (contents === source) return undefined;
        const ext = extname(args.path);
        return {
          contents,
          loader: ext === '.ts' || ext === '.mts' ? 'ts' : 'js',
          resolveDir: dirname(args.path),
        };
      });
    },
  };
}

/** Where `relocated` lives in the bundle, for copying. */
export function assetPath(outdir: string, dest: string): string {
  return join(outdir, 'assets', ...dest.split('/'));
}
