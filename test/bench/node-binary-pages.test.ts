import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binaryMappings, clearReferenced, privateNodeCopy, rssKinds } from './node-binary-pages.ts';
import { sleep, smapsSummary, stopChild } from './probe-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'flyprobe-binary-pages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the node binary pages reader', () => {
  it('splits the executable RSS by segment and sees which pages an idle node still touches', async () => {
    const node = privateNodeCopy(dir);
    const child = spawn(node, ['-e', 'setInterval(() => {}, 100); console.log("up")'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise((resolve) => child.stdout.once('data', resolve));
      const pid = child.pid as number;
      const before = binaryMappings(pid);
      const resident = before.reduce((n, b) => n + b.rss, 0);
      // Two reads of a live process: pages may still be faulting in between.
      expect(Math.abs(resident - smapsSummary(pid).nodeBinary)).toBeLessThanOrEqual(256 * 1024);
      expect(resident).toBeGreaterThan(8 * 2 ** 20);
      expect(before.map((b) => b.part)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^ELF headers/),
          expect.stringMatching(/^code/),
          expect.stringMatching(/^read-only data/),
          expect.stringMatching(/^data/),
        ]),
      );
      const kinds = rssKinds(pid);
      expect(kinds.file).toBeGreaterThanOrEqual(resident);
      expect(kinds.pss).toBeGreaterThan(0);
      clearReferenced(pid);
      await sleep(300);
      const after = binaryMappings(pid);
      for (const b of after) expect(b.referenced).toBeLessThanOrEqual(b.rss);
      // Symbol tables are read by the dynamic linker at start; an idle event loop does not look at them.
      const symbols = after.find((b) => b.part.startsWith('ELF headers'));
      expect(symbols!.rss).toBeGreaterThan(0);
      expect(symbols!.referenced).toBeLessThan(symbols!.rss);
    } finally {
      await stopChild(child);
    }
  });
});
