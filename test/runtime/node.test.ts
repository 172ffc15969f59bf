import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The project runs on the Node of the root package's node-linux-<arch> dependency (the npm
// registry's Node 24 binary), which pnpm puts first on PATH for every script; vitest's forked
// workers inherit it through process.execPath.
const ROOT = resolve(import.meta.dirname, '../..');
const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  optionalDependencies: Record<string, string>;
};
const platformPackage = `node-${process.platform}-${process.arch}`;
// Debian 12's own Node (20), which only runs pnpm; absent or new enough elsewhere.
const SYSTEM_NODE = '/usr/bin/node';
const systemNodeMajor = existsSync(SYSTEM_NODE)
  ? Number(spawnSync(SYSTEM_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.split('.')[0])
  : undefined;
const pinned = rootPackage.optionalDependencies[platformPackage];

describe('node runtime', () => {
  it(`runs the tests on Node ${process.version} within engines.node ${rootPackage.engines.node}`, () => {
    const floor = /^>=(\d+)\.(\d+)$/.exec(rootPackage.engines.node);
    expect(floor, 'engines.node is a ">=MAJOR.MINOR" floor').not.toBeNull();
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    const [wantMajor, wantMinor] = [Number(floor?.[1]), Number(floor?.[2])];
    expect(major > wantMajor || (major === wantMajor && minor >= wantMinor)).toBe(true);
  });

  it.skipIf(pinned === undefined)(`the worker's node is ${platformPackage} ${pinned ?? ''}`, () => {
    const require = createRequire(join(ROOT, 'package.json'));
    expect(realpathSync(process.execPath)).toBe(realpathSync(require.resolve(`${platformPackage}/bin/node`)));
    const installed = require(`${platformPackage}/package.json`) as { version: string };
    expect(process.versions.node).toBe(installed.version);
  });

  it('loads better-sqlite3 from its Node-API prebuild, not from a local compile', () => {
    const require = createRequire(join(ROOT, 'collector', 'package.json'));
    const dir = resolve(require.resolve('better-sqlite3/package.json'), '..');
    expect(existsSync(join(dir, 'build'))).toBe(false);
    const Database = require('better-sqlite3') as typeof import('better-sqlite3');
    const db = new Database(':memory:');
    try {
      expect(db.prepare('select 1 + 1 as two').get()).toEqual({ two: 2 });
    } finally {
      db.close();
    }
  });

  it.skipIf(systemNodeMajor === undefined || systemNodeMajor >= 24)(
    `the CLI run by an older Node (${SYSTEM_NODE}, ${systemNodeMajor ?? 'absent'}) says which Node it needs`,
    () => {
      const run = spawnSync(SYSTEM_NODE, [join(ROOT, 'cli', 'bin', 'flyprobe.mjs'), 'probes'], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(
        `flyprobe needs Node ${rootPackage.engines.node.replace(/^>=(\d+).*/, '$1')} or later`,
      );
      expect(run.stderr).toContain('pnpm flyprobe');
    },
  );
});
