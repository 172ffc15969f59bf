import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CommandOptions, command } from './command.ts';

export type ImageCapability = { ok: true } | { ok: false; reason: string };

/** Debian packages the image build needs, for the messages that name what is missing. */
export const IMAGE_PACKAGES = ['podman', 'runc', 'debootstrap'];

/** Whether this machine can assemble a base image and build and run the Dockerfile's targets. */
export function imageCapability(): ImageCapability {
  if (process.platform !== 'linux')
    return { ok: false, reason: `podman builds need Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0)
    return {
      ok: false,
      reason: 'the image build runs podman and debootstrap as root (uid 0); this is not root',
    };
  for (const tool of IMAGE_PACKAGES) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore', timeout: 30_000 });
    } catch {
      return {
        ok: false,
        reason: `"${tool}" is not installed: apt-get install --no-install-recommends ${IMAGE_PACKAGES.join(' ')}`,
      };
    }
  }
  return { ok: true };
}

/**
 * Debian 12's podman (4.3) with settings that work on this kind of machine: runc instead of crun
 * (crun fails on setrlimit and on hybrid cgroups), cgroupfs instead of systemd, no default ulimits.
 * Storage is overlay; FLYPROBE_IMAGE_STORAGE_DRIVER=vfs works where overlay mounts do not (a root
 * that is itself an overlay), at the price of a full copy per layer (measured: 12 GB of store and
 * twice the build time). It lives in `dir`, so runs never share or leave images in the system's store.
 */
export class Podman {
  private readonly conf: string;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.conf = join(dir, 'containers.conf');
    writeFileSync(
      this.conf,
      [
        '[containers]',
        'default_ulimits = []',
        '[engine]',
        'runtime = "runc"',
        'cgroup_manager = "cgroupfs"',
        'events_logger = "file"',
        '',
      ].join('\n'),
    );
  }

  run(args: readonly string[], o: CommandOptions): Promise<string> {
    const storage = [
      '--root',
      join(this.dir, 'storage'),
      '--runroot',
      join(this.dir, 'run'),
      '--storage-driver',
      process.env.FLYPROBE_IMAGE_STORAGE_DRIVER ?? 'overlay',
      '--tmpdir',
      join(this.dir, 'tmp'),
    ];
    return command('podman', [...storage, ...args], {
      ...o,
      env: { ...process.env, ...o.env, CONTAINERS_CONF: this.conf },
    });
  }

  async imageSize(tag: string): Promise<number> {
    const out = await this.run(['image', 'inspect', '--format', '{{.Size}}', tag], { timeoutMs: 60_000 });
    return Number(out.trim());
  }

  /** Removes every container and image of this store, then the store itself. */
  async destroy(): Promise<void> {
    await this.run(['rm', '--all', '--force'], { timeoutMs: 120_000 }).catch(() => '');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
