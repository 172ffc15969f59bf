import { dirname, join } from 'node:path';
import type { Plugin } from './esbuild.ts';

const NAMESPACE = 'flyprobe-zod-no-locales';

/**
 * zod's `z.locales` namespace without its ~50 translations (~300 KB of source that V8 would keep): nothing
 * here calls `z.config(z.locales.xx())`, and the English messages every error text uses come from
 * zod's own `locales/en.js`, imported directly by its schemas.
 */
export const zodWithoutLocales: Plugin = {
  name: 'flyprobe-zod-without-locales',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer)
        ? { path: join(dirname(args.importer), '..', 'locales', 'en.js'), namespace: NAMESPACE }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
      contents: "export { default as en } from './en.js';",
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};
