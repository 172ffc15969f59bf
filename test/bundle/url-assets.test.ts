import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCollectorBundle } from '../../collector/build.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Writes `files` (relative path -> text) into a fresh folder and returns it. */
function sources(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), 'flyprobe-url-assets-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('collector/build.ts: files reached by new URL(..., import.meta.url)', () => {
  it('bundles a TypeScript worker as an entry of its own and copies files and folders the code reads', async () => {
    const src = sources({
      'src/main.ts': `import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
const data = readFileSync(new URL('./data/one.txt', import.meta.url), 'utf8');
const dir = readFileSync(new URL('./static/', import.meta.url).pathname + 'two.txt', 'utf8');
const w = new Worker(new URL('./work/job.ts', import.meta.url));
w.once('message', (m: string) => { console.log([data.trim(), dir.trim(), m].join(' ')); void w.terminate(); });
`,
      'src/work/job.ts': `import { parentPort } from 'node:worker_threads';
const answer: string = 'worker';
parentPort?.postMessage(answer);
`,
      'src/data/one.txt': 'file\n',
      'src/static/two.txt': 'folder\n',
    });
    const out = await buildCollectorBundle(join(src, 'dist'), join(src, 'src', 'main.ts'));
    // Sources deleted: the bundle must carry all it reads.
    rmSync(join(src, 'src'), { recursive: true });
    expect(execFileSync(process.execPath, [out], { encoding: 'utf8' }).trim()).toBe('file folder worker');
  });

  it('fails the build naming a worker or file that does not exist', async () => {
    const src = sources({
      'src/main.ts': `import { Worker } from 'node:worker_threads';
new Worker(new URL('./gone.mjs', import.meta.url));
`,
    });
    await expect(buildCollectorBundle(join(src, 'dist'), join(src, 'src', 'main.ts'))).rejects.toThrow(
      /gone\.mjs does not exist/,
    );
  });

  it('fails the build on a module that finds files from its own path another way', async () => {
    const src = sources({
      'src/main.ts': `import { join } from 'node:path';
console.log(join(import.meta.dirname, 'public'));
`,
    });
    await expect(buildCollectorBundle(join(src, 'dist'), join(src, 'src', 'main.ts'))).rejects.toThrow(
      /locates files from its own path/,
    );
  });
});
