import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labCapability, missingLabTools } from './capability.ts';

// A PATH with nothing on it stands in for a fresh Debian machine without the lab's packages.
const emptyBin = mkdtempSync(join(tmpdir(), 'flyprobe-empty-path-'));
const bare = { ...process.env, PATH: emptyBin };
afterAll(() => rmSync(emptyBin, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;

describe('lab capability', () => {
  it('names each missing command and the apt command for its Debian package', () => {
    const missing = missingLabTools(bare);
    expect(missing?.commands).toEqual(expect.arrayContaining(['ip', 'nft', 'flock', 'chrt']));
    expect(missing?.install).toMatch(/^apt-get install --no-install-recommends /);
    for (const pkg of ['iproute2', 'nftables', 'util-linux']) expect(missing?.install).toContain(pkg);
    // util-linux provides two of them and is named once.
    expect(missing?.install.match(/util-linux/g)).toHaveLength(1);
  });

  it.skipIf(process.platform !== 'linux')('tells a root user what to install, never to run as root', () => {
    const c = labCapability(bare);
    expect(c.ok).toBe(false);
    if (c.ok) return;
    expect(c.reason).toContain('"nft"');
    expect(c.reason).toContain('nftables');
    if (isRoot) expect(c.reason).not.toMatch(/not root|run as root/);
    else expect(c.reason).toContain('this process is not root');
  });
});
