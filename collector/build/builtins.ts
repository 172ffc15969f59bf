import { builtinModules } from 'node:module';
import type { Plugin } from './esbuild.ts';

const BUILTINS = new Set(builtinModules);
const NAMESPACE = 'node-builtin-require';

/**
 * Node builtins imported through `require` instead of ESM `import`: the ESM namespace of a builtin reads
 * every export of it, which runs its lazy getters (node:http's load Node's internal undici, http2, zlib,
 * worker_threads...; ~4 MB of RSS measured by the lead). A CommonJS stand-in gives esbuild's interop
 * getters that read an export only when the code uses it. Needs `require` in scope (the bundle's banner).
 */
export const builtinsViaRequire: Plugin = {
  name: 'builtins-via-require',
  setup(build) {
    build.onResolve({ filter: /^[a-z_/:]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (!BUILTINS.has(name) && !BUILTINS.has(args.path)) return undefined;
      if (args.kind === 'require-call') return { path: args.path, external: true };
      return { path: args.path.startsWith('node:') ? args.path : `node:${name}`, namespace: NAMESPACE };
    });
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};
