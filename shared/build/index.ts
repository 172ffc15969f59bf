// Bundling toolkit of the two images (probe/build.ts, collector/build.ts): build scripts only, never
// imported by shipped code.
export { builtinsViaRequire } from './builtins.ts';
export {
  type Esbuild,
  type LoadResult,
  loadEsbuild,
  NODE_BUNDLE_OPTIONS,
  type Plugin,
  type PluginBuild,
  ROOT,
} from './esbuild.ts';
export { zodWithoutLocales } from './zod-without-locales.ts';
