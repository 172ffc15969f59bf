import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The slice of esbuild's API the collector build uses (esbuild's own types are not a dependency). */
export interface PluginBuild {
  onResolve(
    options: { filter: RegExp },
    callback: (args: {
      path: string;
      kind: string;
    }) => { path?: string; namespace?: string; external?: boolean } | undefined,
  ): void;
  onLoad(
    options: { filter: RegExp; namespace?: string },
    callback: (args: { path: string }) => LoadResult | undefined,
  ): void;
}
export interface LoadResult {
  contents?: string;
  loader?: 'ts' | 'js';
  resolveDir?: string;
  errors?: { text: string }[];
}
export interface Plugin {
  name: string;
  setup(build: PluginBuild): void;
}
export interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** esbuild as tsx ships it: present wherever tsx is, including the image's production install. */
export function loadEsbuild(): Esbuild {
  const fromTsx = createRequire(createRequire(join(ROOT, 'cli', 'package.json')).resolve('tsx'));
  return fromTsx('esbuild') as Esbuild;
}
