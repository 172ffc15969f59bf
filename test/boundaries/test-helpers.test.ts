import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHIPPED_PACKAGES = ['shared', 'probe', 'collector', 'cli'];

/** Test code by the names .dockerignore drops: tests, testing/ folders, testing.ts and test-*.ts helpers. */
function isTestCode(path: string): boolean {
  const name = basename(path);
  return (
    path.split(/[\\/]/).includes('testing') ||
    name.endsWith('.test.ts') ||
    name === 'testing.ts' ||
    /^test-.*\.ts$/.test(name)
  );
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

function shippedFiles(): string[] {
  return SHIPPED_PACKAGES.flatMap((dir) =>
    readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.(ts|mjs|js)$/.test(e.name))
      .map((e) => join(e.parentPath, e.name))
      .filter((p) => !p.split(sep).includes('node_modules') && !isTestCode(relative(ROOT, p))),
  );
}

/** Imports of test code from a file that ships, as `file: specifier`. */
function testImports(file: string, text: string): string[] {
  return [...text.matchAll(SPECIFIER)]
    .map((m) => m[1] ?? '')
    .filter((spec) =>
      spec.startsWith('.')
        ? isTestCode(relative(ROOT, resolve(dirname(file), spec)))
        : spec.endsWith('/testing'),
    )
    .map((spec) => `${relative(ROOT, file)}: ${spec}`);
}

describe('test helpers never ship', () => {
  it('no shipped file imports test code (so the images and the probe bundle can leave it out)', () => {
    expect(shippedFiles().flatMap((f) => testImports(f, readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('.dockerignore drops test code by pattern, wherever it lives', () => {
    const lines = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(lines).toEqual(
      expect.arrayContaining(['**/*.test.ts', '**/testing', '**/testing.ts', '**/test-*.ts']),
    );
  });

  it('tells test code from shipped code by name (the check is not vacuous)', () => {
    expect(
      [
        'collector/src/store/testing/contract/rollups.ts',
        'collector/src/api/testing.ts',
        'probe/src/checks/test-cert.ts',
        'probe/src/agent.test.ts',
        'probe/src/agent.ts',
        'collector/src/alerts/silences.ts',
      ].map(isTestCode),
    ).toEqual([true, true, true, true, false, false]);
    const file = join(ROOT, 'collector', 'src', 'server.ts');
    expect(
      testImports(
        file,
        "import { a } from './api/testing.ts';\nimport { b } from '@flyprobe/shared/testing';\nimport { c } from './settings.ts';",
      ),
    ).toEqual([
      'collector/src/server.ts: ./api/testing.ts',
      'collector/src/server.ts: @flyprobe/shared/testing',
    ]);
  });
});
