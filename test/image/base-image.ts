import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { command } from './command.ts';
import type { Podman } from './podman.ts';

/**
 * The stand-in for `node:24-bookworm-slim` when no image registry is reachable: Debian bookworm from
 * Debian's mirror (debootstrap, minbase, as the slim images are), the Node binary and headers of the
 * npm registry's node-linux-<arch> package (the one `pnpm install` put in node_modules), and npm
 * from the registry, laid out where the official images keep them (/usr/local).
 */
export interface BaseImage {
  tag: string;
  nodeVersion: string;
  /** Seconds spent in debootstrap and packing; undefined when the rootfs tarball was cached. */
  assembleSeconds: number | undefined;
  importSeconds: number;
  sizeBytes: number;
}

const ROOT = resolve(import.meta.dirname, '../..');
const SUITE = 'bookworm';
const MIRROR = process.env.FLYPROBE_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
/** Slim images carry no docs, man pages, locales or apt lists. */
const SLIM_PATHS = [
  'usr/share/doc',
  'usr/share/man',
  'usr/share/info',
  'usr/share/locale',
  'var/lib/apt/lists',
  'var/cache/apt',
];

function nodePackage(): { dir: string; version: string } {
  const name = `node-${process.platform}-${process.arch}`;
  const manifest = createRequire(join(ROOT, 'package.json')).resolve(`${name}/package.json`);
  const { version } = createRequire(import.meta.url)(manifest) as { version: string };
  return { dir: dirname(manifest), version };
}

function emptyDir(dir: string): void {
  for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
}

async function assembleRootfs(stateDir: string, nodeDir: string, logPath: string): Promise<string> {
  const work = mkdtempSync(join(stateDir, 'rootfs-'));
  const rootfs = join(work, 'rootfs');
  try {
    await command('debootstrap', ['--variant=minbase', '--include=passwd', SUITE, rootfs, MIRROR], {
      timeoutMs: 20 * 60_000,
      logPath,
    });
    for (const p of SLIM_PATHS) if (existsSync(join(rootfs, p))) emptyDir(join(rootfs, p));
    cpSync(join(nodeDir, 'bin', 'node'), join(rootfs, 'usr/local/bin/node'));
    cpSync(join(nodeDir, 'include'), join(rootfs, 'usr/local/include'), { recursive: true });
    const npmDir = join(rootfs, 'usr/local/lib/node_modules/npm');
    mkdirSync(npmDir, { recursive: true });
    const packed = (
      await command('npm', ['pack', 'npm@11', '--silent', '--pack-destination', work], {
        timeoutMs: 5 * 60_000,
        logPath,
      })
    ).trim();
    await command('tar', ['-xzf', join(work, packed), '-C', npmDir, '--strip-components=1'], {
      timeoutMs: 120_000,
      logPath,
    });
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(rootfs, 'usr/local/bin/npm'));
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(rootfs, 'usr/local/bin/npx'));
    const tar = join(work, 'rootfs.tar');
    await command('tar', ['--numeric-owner', '-C', rootfs, '-cf', tar, '.'], {
      timeoutMs: 10 * 60_000,
      logPath,
    });
    return tar;
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

/** Builds (or reuses from `stateDir`) the rootfs tarball and imports it into `podman`'s store. */
export async function baseImage(podman: Podman, stateDir: string, logPath: string): Promise<BaseImage> {
  const node = nodePackage();
  const tag = `localhost/flyprobe-node:${node.version}-${SUITE}`;
  const cached = join(stateDir, `rootfs-${SUITE}-node${node.version}-${process.arch}.tar`);
  let assembleSeconds: number | undefined;
  if (!existsSync(cached)) {
    const started = Date.now();
    const tar = await assembleRootfs(stateDir, node.dir, logPath);
    renameSync(tar, cached);
    rmSync(dirname(tar), { recursive: true, force: true });
    assembleSeconds = (Date.now() - started) / 1000;
  }
  const started = Date.now();
  await podman.run(
    [
      'import',
      '--change',
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--change',
      `ENV NODE_VERSION=${node.version}`,
      '--change',
      'CMD ["node"]',
      cached,
      tag,
    ],
    { timeoutMs: 10 * 60_000, logPath },
  );
  const importSeconds = (Date.now() - started) / 1000;
  return {
    tag,
    nodeVersion: node.version,
    assembleSeconds,
    importSeconds,
    sizeBytes: await podman.imageSize(tag),
  };
}
