import { describe, expect, it } from 'vitest';
import { type ImageRun, runImagePipeline } from './pipeline.ts';
import { imageCapability } from './podman.ts';

// Minutes of debootstrap and podman builds: opt-in, never part of a plain `pnpm test`.
const optedIn = process.env.FLYPROBE_IMAGE_TEST === '1';
const capability = imageCapability();
const skipReason = !optedIn
  ? 'set FLYPROBE_IMAGE_TEST=1 to build and run the images (minutes; `pnpm bench:image` prints sizes)'
  : capability.ok
    ? undefined
    : capability.reason;

describe.skipIf(skipReason !== undefined)(
  `images (podman)${skipReason ? `: skipped, ${skipReason}` : ''}`,
  () => {
    let run: ImageRun;

    it('builds both Dockerfile targets from the local Node 24 base', { timeout: 60 * 60_000 }, async () => {
      run = await runImagePipeline((line) => process.stdout.write(`${line}\n`));
      expect(run.images.map((i) => i.target)).toEqual(['probe', 'collector']);
      for (const i of run.images) expect(i.sizeBytes).toBeGreaterThan(0);
    });

    it('runs the probe entrypoint on the same Node as development', () => {
      expect(run.smoke.probeNodeVersion).toBe(`v${run.base.nodeVersion}`);
      expect(run.smoke.probeHelpText).toContain('Usage: flyprobe');
    });

    it('runs the collector on the volume as the unprivileged user, answering /healthz and serving the dashboard', () => {
      expect(run.smoke.collectorHealthz).toBe(200);
      expect(run.smoke.dashboardStatus).toEqual([200, 200]);
      expect(run.smoke.databaseOnVolume).toBe(true);
      expect(run.smoke.collectorUid).toBeGreaterThan(0);
    });

    it('stores ok http, tcp and grpc results the probe image measured and reported', () => {
      expect(run.smoke.probeHealthz).toBe(200);
      for (const p of ['http', 'tcp', 'grpc'] as const)
        expect(run.smoke.okResults[p] ?? 0).toBeGreaterThan(0);
    });

    it('runs the collector from its bundle, and flyprobe on PATH runs the same bundle for operators', () => {
      expect(run.smoke.collectorCommand).toMatch(
        /^node( --\S+)* \/app\/collector\/dist\/bin\/flyprobe\.mjs collector$/,
      );
      expect(run.smoke.collectorCliHelp).toContain('Usage: flyprobe');
      expect(run.smoke.collectorCliHelp).toContain('tokens');
    });

    it('ships no test code or sources: only the bundles (and better-sqlite3 beside the collector one)', () => {
      expect(run.smoke.collectorAppFiles).toContain('/app/collector/dist/bin/flyprobe.mjs');
      // The SQLite writer thread (and any other worker thread) is an entry of its own under workers/.
      expect(
        run.smoke.collectorAppFiles.some((f) => /^\/app\/collector\/dist\/workers\/[^/]+\.mjs$/.test(f)),
      ).toBe(true);
      const outsideCollectorBundle = run.smoke.collectorAppFiles.filter(
        (f) =>
          !/^\/app\/collector\/dist\/(bin\/flyprobe\.mjs|(chunks|workers)\/[^/]+\.mjs|assets\/.+|node_modules\/better-sqlite3\/.+)$/.test(
            f,
          ),
      );
      expect(outsideCollectorBundle).toEqual([]);
      // Nothing test-shaped among the files copied beside it (test/boundaries keeps test code out of the bundle).
      expect(run.smoke.collectorAppFiles.filter((f) => /\/testing\/|\.test\.|\/test-[^/]*$/.test(f))).toEqual(
        [],
      );
      expect(run.smoke.probeAppFiles).toContain('/app/probe/dist/bin/flyprobe.mjs');
      const outsideBundle = run.smoke.probeAppFiles.filter(
        (f) => !/^\/app\/probe\/dist\/(bin\/flyprobe\.mjs|chunks\/[^/]+\.mjs|proto\/echo\.proto)$/.test(f),
      );
      expect(outsideBundle).toEqual([]);
    });

    it('both containers exit 0 on SIGTERM', () => {
      expect(run.smoke.probeExitCode).toBe(0);
      expect(run.smoke.collectorExitCode).toBe(0);
    });
  },
);
