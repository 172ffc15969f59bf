/**
 * Plan and apply timings of `flyprobe deploy` against the fake Machines API with Fly's documented rate
 * limits (1 request/s per action per Machine, bursts of 3; create is per app), one bound token minted
 * per Machine through a real collector, and Machines that take BENCH_BOOT_MS to boot.
 *
 *   pnpm bench:deploy-plan          # BENCH_REGIONS (10), BENCH_BOOT_MS (500)
 *
 * Steps, each through the real CLI entry (in process): a dry run of an empty app (the plan alone), the
 * first deploy (creates), a second run (must change nothing), an env change (in-place updates under
 * leases), and destroy. Goal: the plan itself well under a second; apply bounded by the API's create
 * rate (10 creates at 1/s after a burst of 3 need about 7 s), not by flyprobe.
 */
import { loadavg } from 'node:os';
import { Writable } from 'node:stream';
import { currentRegions } from '@flyprobe/shared';
import { main } from '../../cli/src/main.ts';
import { ADMIN_TOKEN, startTestCollector } from '../cli/testing/collector.ts';
import { startFakeMachines } from '../fake-machines/server.ts';

const REGIONS = Number(process.env.BENCH_REGIONS ?? 10);
const BOOT_MS = Number(process.env.BENCH_BOOT_MS ?? 500);
const FLY_TOKEN = 'fm2_bench';

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  return {
    stream: new Writable({
      write(chunk: Buffer | string, _enc, done) {
        text += chunk.toString();
        done();
      },
    }),
    text: () => text,
  };
}

const fake = await startFakeMachines({ token: FLY_TOKEN, apps: ['bench'], startDelayMs: BOOT_MS / 2 });
const collector = await startTestCollector();
const regions = currentRegions()
  .slice(0, REGIONS)
  .map((r) => r.code)
  .join(',');
const env = {
  FLY_API_TOKEN: FLY_TOKEN,
  FLY_FLAPS_BASE_URL: fake.url,
  FLYPROBE_COLLECTOR_URL: collector.url,
  FLYPROBE_ADMIN_TOKEN: ADMIN_TOKEN,
};

async function step(label: string, args: string[]): Promise<void> {
  const out = sink();
  const err = sink();
  const before = fake.requests.length;
  const t0 = performance.now();
  const code = await main(args, { stdout: out.stream, stderr: err.stream, env, color: false });
  const ms = performance.now() - t0;
  const reqs = fake.requests.slice(before);
  const limited = reqs.filter((r) => r.status === 429).length;
  const summary = out.text().trim().split('\n').at(-1) ?? '';
  console.log(
    `${label.padEnd(28)} ${(ms / 1000).toFixed(3).padStart(7)} s  ${String(reqs.length).padStart(4)} API requests  ${String(limited).padStart(3)} x 429  exit ${code}  | ${summary}`,
  );
  if (code !== 0) console.log(err.text());
}

const deploy = ['deploy', '--app', 'bench', '--regions', regions, '--image', 'reg/probe:1', '--no-confirm'];
console.log(
  `deploy plan/apply, ${REGIONS} regions, boot ${BOOT_MS} ms, API limit 1/s burst 3 per action per Machine`,
);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
await step('plan only (dry run, empty)', [...deploy, '--dry-run']);
await step('first deploy (create)', deploy);
await step('second run (no change)', deploy);
await step('env change (update)', [
  ...deploy,
  '--probe-collector-url',
  'http://flyprobe-collector.internal:8080',
]);
await step('destroy', ['destroy', '--app', 'bench', '--regions', regions]);
console.log('goal: plan well under 1 s; apply bounded by the create rate (about 7 s for 10 creates)');
await fake.close();
await collector.stop();
