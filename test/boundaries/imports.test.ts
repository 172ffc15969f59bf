import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PACKAGES = ['shared', 'probe', 'collector', 'cli', 'test'] as const;
type PackageDir = (typeof PACKAGES)[number];

interface Manifest {
  name: string;
  exports?: Record<string, string>;
  dependencies?: Record<string, string>;
}
const manifests = new Map<string, { dir: PackageDir; manifest: Manifest }>(
  PACKAGES.map((dir) => {
    const manifest = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest;
    return [manifest.name, { dir, manifest }];
  }),
);

// Static imports and re-exports, dynamic import() and side-effect imports.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mjs|js)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter((p) => !p.split(sep).includes('node_modules'));
}

/** Imports in one file of `dir` that cross a package boundary the wrong way, as `file: specifier (why)`. */
function fileViolations(dir: PackageDir, file: string, text: string): string[] {
  const own = [...manifests.values()].find((m) => m.dir === dir)?.manifest;
  const where = relative(ROOT, file);
  const found: string[] = [];
  for (const [, spec] of text.matchAll(SPECIFIER)) {
    if (!spec) continue;
    if (spec.startsWith('.')) {
      const target = relative(join(ROOT, dir), resolve(dirname(file), spec));
      // The test package drives the others white-box (their src/ and testing/ helpers); nothing else may.
      if (target.startsWith('..') && dir !== 'test') found.push(`${where}: ${spec} (outside ${dir}/)`);
      continue;
    }
    const m = /^(@flyprobe\/[^/]+)(\/.*)?$/.exec(spec);
    if (!m?.[1]) continue;
    const pkg = manifests.get(m[1]);
    if (!pkg) {
      found.push(`${where}: ${spec} (no such package)`);
      continue;
    }
    if (!pkg.manifest.exports?.[`.${m[2] ?? ''}`]) found.push(`${where}: ${spec} (not in ${m[1]}'s exports)`);
    if (pkg.manifest.name !== own?.name && !own?.dependencies?.[pkg.manifest.name])
      found.push(`${where}: ${spec} (${m[1]} is not a dependency of ${own?.name})`);
  }
  return found;
}

const SELF = fileURLToPath(import.meta.url);

describe('package boundaries', () => {
  it.each(PACKAGES)('%s imports other packages only through their exported entry points', (dir) => {
    const files = sources(dir).filter((f) => f !== SELF);
    expect(files.flatMap((f) => fileViolations(dir, f, readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('exports only entry points: no package exposes its whole src/ folder', () => {
    for (const { manifest } of manifests.values()) {
      for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
        expect(subpath, manifest.name).not.toContain('*');
        expect(target, manifest.name).not.toMatch(/\*|\/src\/?$/);
      }
    }
  });

  it('rejects deep, unexported and undeclared imports (the check is not vacuous)', () => {
    const file = join(ROOT, 'probe', 'src', 'x.ts');
    const text = [
      "import { loadCollectorSettings } from '../../collector/src/settings.ts';",
      "export { geo } from '@flyprobe/shared/src/geo.ts';",
      "const c = await import('@flyprobe/collector');",
      "import { ok } from './checks/check.ts';",
      "import { fine } from '@flyprobe/shared';",
    ].join('\n');
    expect(fileViolations('probe', file, text)).toEqual([
      'probe/src/x.ts: ../../collector/src/settings.ts (outside probe/)',
      "probe/src/x.ts: @flyprobe/shared/src/geo.ts (not in @flyprobe/shared's exports)",
      'probe/src/x.ts: @flyprobe/collector (@flyprobe/collector is not a dependency of @flyprobe/probe)',
    ]);
  });
});
