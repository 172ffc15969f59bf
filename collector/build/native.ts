import { cpSync, existsSync, mkdirSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { ROOT } from '@flyprobe/shared/build';

/** Packages the bundle leaves to Node: a native addon, and pg's optional native client (never installed). */
export const EXTERNAL = ['better-sqlite3', 'pg-native'];

/**
 * better-sqlite3 beside the bundle, as `<outdir>/node_modules/better-sqlite3`, where Node resolves the
 * bundle's `import 'better-sqlite3'` from any of its folders: its JavaScript and this platform's prebuilt
 * addon only (the one its own loader picks), not the other platforms' binaries or the SQLite sources.
 */
export function copyBetterSqlite(outdir: string): void {
  const fromCollector = createRequire(join(ROOT, 'collector', 'package.json'));
  const pkg = dirname(realpathSync(fromCollector.resolve('better-sqlite3/package.json')));
  const { getPrebuildPath } = fromCollector(join(pkg, 'lib', 'binding.js')) as {
    getPrebuildPath(): string | null;
  };
  const compiled = join(pkg, 'build', 'Release', 'better_sqlite3.node');
  const addon = existsSync(compiled) ? compiled : getPrebuildPath();
  if (!addon) throw new Error(`better-sqlite3: no addon for ${process.platform}-${process.arch} in ${pkg}`);
  const dest = join(outdir, 'node_modules', 'better-sqlite3');
  mkdirSync(dest, { recursive: true });
  cpSync(join(pkg, 'package.json'), join(dest, 'package.json'));
  cpSync(join(pkg, 'LICENSE'), join(dest, 'LICENSE'));
  cpSync(join(pkg, 'lib'), join(dest, 'lib'), { recursive: true });
  const at = join(dest, relative(pkg, addon));
  mkdirSync(dirname(at), { recursive: true });
  cpSync(addon, at);
}
