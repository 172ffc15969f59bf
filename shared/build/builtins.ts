import { builtinModules } from 'node:module';
import type { Plugin } from './esbuild.ts';

const BUILTINS = new Set(builtinModules);
const NAMESPACE = 'flyprobe-node-builtin';

/**
 * Node built-ins through require(), not ESM import: an ESM import of `node:http` builds the module
 * namespace, which runs every lazy getter of the builtin (in Node 24 that loads internal undici for
 * http.WebSocket, assert, zlib, worker_threads, webstreams, ...; ~4 MB of RSS). A CommonJS shim per
 * builtin lets esbuild's interop read each property only when the code uses it
 * (test/bench/probe-modules.ts). Needs `require` in scope (NODE_BUNDLE_OPTIONS' banner).
 */
export const builtinsViaRequire: Plugin = {
  name: 'flyprobe-builtins-via-require',
  setup(build) {
    // Bare names too (`from 'http'` in ESM dependencies).
    build.onResolve({ filter: /^[a-z_/:]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (!BUILTINS.has(name) && !BUILTINS.has(args.path)) return undefined;
      // A require() (the shim's own, or a bundled CommonJS dependency's) is already lazy: the real builtin.
      if (args.kind === 'require-call' || args.namespace === NAMESPACE)
        return { path: args.path, external: true };
      return { path: `node:${name}`, namespace: NAMESPACE };
    });
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};
