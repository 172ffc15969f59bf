import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The slice of esbuild's API the bundlers use (esbuild's own types are not a dependency). */
export interface ResolveArgs {
  path: string;
  kind: string;
  namespace: string;
  importer: string;
}
export interface ResolveResult {
  path?: string;
  namespace?: string;
  external?: boolean;
}
export interface LoadResult {
  contents?: string;
  loader?: 'ts' | 'js';
  resolveDir?: string;
  errors?: { text: string }[];
}
export interface PluginBuild {
  onResolve(options: { filter: RegExp }, callback: (args: ResolveArgs) => ResolveResult | undefined): void;
  onLoad(
    options: { filter: RegExp; namespace?: string },
    callback: (args: { path: string }) => LoadResult | undefined,
  ): void;
}
export interface Plugin {
  name: string;
  setup(build: PluginBuild): void;
}
export interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}

/** The repository root (shared/build is two levels below it). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** esbuild as tsx ships it: present wherever tsx is, including the image's production install. */
export function loadEsbuild(): Esbuild {
  const fromTsx = createRequire(createRequire(join(ROOT, 'cli', 'package.json')).resolve('tsx'));
  return fromTsx('esbuild') as Esbuild;
}

/** Options both images' bundles share: ESM for Node 24, run by plain node. */
export const NODE_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  // Bundled CommonJS dependencies and builtinsViaRequire call require() (the banner heads every output file).
  banner: {
    js: "import { createRequire as __flyprobeRequire } from 'node:module'; const require = __flyprobeRequire(import.meta.url);",
  },
  // V8 keeps the loaded source in memory; identifiers stay for readable stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
} as const;
