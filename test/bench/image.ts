/**
 * `pnpm bench:image`: builds both Dockerfile targets with Debian's podman FROM a base image assembled
 * here (debootstrap bookworm + the npm registry's Node 24), runs them (collector on a temporary
 * volume, probe reporting to it over loopback) and prints build times and image sizes. Needs root
 * and podman, runc and debootstrap; says what is missing otherwise. Goal: both images build and
 * run; above the base (Debian slim + Node, the same for both and for node:24-bookworm-slim) the
 * probe image adds under 10 MB (its bundle only) and the collector under 60 MB.
 */
import { loadavg } from 'node:os';
import { runImagePipeline } from '../image/pipeline.ts';
import { imageCapability } from '../image/podman.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

const capability = imageCapability();
if (!capability.ok) {
  say(`bench:image skipped: ${capability.reason}`);
  process.exit(2);
}
const started = Date.now();
const { base, images, smoke, logPath } = await runImagePipeline(say).catch(() => process.exit(1));
say('');
say(
  `load average at the end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
say(
  `base ${base.tag}: ${mb(base.sizeBytes)}; ${base.assembleSeconds === undefined ? 'rootfs cached' : `assembled in ${base.assembleSeconds.toFixed(0)} s`}, imported in ${base.importSeconds.toFixed(0)} s`,
);
const GOAL_ADDED_MB: Record<string, number> = { probe: 10, collector: 60 };
say('| target | build time | image size | added to the base | goal |');
say('|---|---|---|---|---|');
for (const i of images)
  say(
    `| ${i.target} | ${i.buildSeconds.toFixed(0)} s | ${mb(i.sizeBytes)} | ${mb(i.sizeBytes - base.sizeBytes)} | < ${GOAL_ADDED_MB[i.target]} MB |`,
  );
say('');
say(`probe image: node ${smoke.probeNodeVersion}; --help exit 0 (${smoke.probeHelpText.split('\n')[0]})`);
say(
  `collector: /healthz ${smoke.collectorHealthz}, dashboard ${smoke.dashboardStatus.join(' ')}, runs as uid ${smoke.collectorUid}, database on the volume: ${smoke.databaseOnVolume}`,
);
say(`probe: /healthz ${smoke.probeHealthz}, ok results stored: ${JSON.stringify(smoke.okResults)}`);
say(`exit codes after SIGTERM: probe ${smoke.probeExitCode}, collector ${smoke.collectorExitCode}`);
say(`total ${((Date.now() - started) / 1000).toFixed(0)} s; log ${logPath}`);
