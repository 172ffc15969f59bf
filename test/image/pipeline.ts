import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type BaseImage, baseImage } from './base-image.ts';
import { type BuiltImage, buildImages } from './build-images.ts';
import { Podman } from './podman.ts';
import { type SmokeReport, smokeImages } from './smoke.ts';

export interface ImageRun {
  base: BaseImage;
  images: BuiltImage[];
  smoke: SmokeReport;
  logPath: string;
}

/** Cached base rootfs tarballs live here across runs; each run's podman store is a fresh folder inside. */
export const IMAGE_STATE_DIR = process.env.FLYPROBE_IMAGE_DIR ?? '/var/tmp/flyprobe-image';

/** Assembles the base image, builds both targets, runs them, and removes the run's store. */
export async function runImagePipeline(log: (line: string) => void): Promise<ImageRun> {
  mkdirSync(IMAGE_STATE_DIR, { recursive: true });
  const logDir = resolve(import.meta.dirname, '../../.tmp');
  mkdirSync(logDir, { recursive: true });
  const logPath = join(logDir, `image-build-${Date.now()}.log`);
  const podman = new Podman(mkdtempSync(join(IMAGE_STATE_DIR, 'run-')));
  log(`podman store ${podman.dir}; full output in ${logPath}`);
  try {
    log('base image: debootstrap bookworm + node from node_modules (cached after the first run)...');
    const base = await baseImage(podman, IMAGE_STATE_DIR, logPath);
    log(`base image ${base.tag} ready; building the Dockerfile targets...`);
    const images = await buildImages(podman, base.tag, logPath);
    log('images built; running the collector and the probe...');
    const smoke = await smokeImages(podman, podman.dir, logPath);
    return { base, images, smoke, logPath };
  } catch (err) {
    // Removing a store takes a while: say what failed first.
    log(`failed: ${(err as Error).message}`);
    throw err;
  } finally {
    await podman.destroy();
  }
}
