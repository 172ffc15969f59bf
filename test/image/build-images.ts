import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Podman } from './podman.ts';

/** The Dockerfile's deployable targets (fly.probe.toml, fly.collector.toml). */
export const IMAGE_TARGETS = ['probe', 'collector'] as const;
export type ImageTarget = (typeof IMAGE_TARGETS)[number];

export interface BuiltImage {
  target: ImageTarget;
  tag: string;
  buildSeconds: number;
  sizeBytes: number;
}

const ROOT = resolve(import.meta.dirname, '../..');
/** Where Debian keeps the CA bundle, so that pnpm's own TLS finds a forwarded one too. */
const CA_IN_BUILD = '/etc/ssl/certs/ca-certificates.crt';

/** The host's extra CA (a TLS-inspecting proxy's), forwarded to the build stage's npm and pnpm. */
function caArgs(): string[] {
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  if (!ca || !existsSync(ca)) return [];
  return ['--volume', `${ca}:${CA_IN_BUILD}:ro`, '--build-arg', `NODE_EXTRA_CA_CERTS=${CA_IN_BUILD}`];
}

export function imageTag(target: ImageTarget): string {
  return `localhost/flyprobe-${target}:dev`;
}

/**
 * Builds the targets in order with the repository's Dockerfile, FROM `baseTag`. Layers are cached
 * within the store, so the second target reuses the build stage of the first and its time is its own.
 * Host networking: the build stage installs dependencies from the npm registry.
 */
export async function buildImages(podman: Podman, baseTag: string, logPath: string): Promise<BuiltImage[]> {
  const built: BuiltImage[] = [];
  for (const target of IMAGE_TARGETS) {
    const tag = imageTag(target);
    const started = Date.now();
    await podman.run(
      [
        'build',
        '--network',
        'host',
        '--pull=never',
        ...caArgs(),
        '--build-arg',
        `NODE_IMAGE=${baseTag}`,
        '--target',
        target,
        '--tag',
        tag,
        '--file',
        resolve(ROOT, 'Dockerfile'),
        ROOT,
      ],
      { timeoutMs: 30 * 60_000, logPath },
    );
    const buildSeconds = (Date.now() - started) / 1000;
    built.push({ target, tag, buildSeconds, sizeBytes: await podman.imageSize(tag) });
  }
  return built;
}
