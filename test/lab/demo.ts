/**
 * `pnpm demo`: a lab of six emulated Fly regions with the target in three of them, a probe per region
 * and the collector; a short scripted sequence of network faults with narration; then the latency
 * matrices, routes and alerts the collector derived. Keeps the collector API up until Ctrl-C.
 *
 * Flags: --duration N (or FLYPROBE_DEMO_SECONDS; hard cap on the whole run, default 900 s),
 * --fault-seconds N (length of each fault window, default 12), --no-wait (exit after the script),
 * --no-color. Without what the namespace lab needs (root, /dev/net/tun, iproute2, nftables, python3,
 * util-linux) it says exactly what is missing and how to install it, then runs the loopback variant
 * (see loopback-demo.ts).
 */
import { parseArgs } from 'node:util';
import {
  type AlertView,
  isRoutedPath,
  type MatrixResponse,
  type NetworkPath,
  type RouteSummary,
} from '@flyprobe/shared';
import { renderMatrix } from '../../cli/src/output/matrix-table.ts';
import { labCapability } from './capability.ts';
import { type Lab, startLab } from './lab.ts';
import { runLoopbackDemo } from './loopback-demo.ts';
import { TARGET_PORTS } from './ports.ts';

const REGIONS = ['iad', 'dfw', 'lhr', 'fra', 'nrt', 'syd'];
const TARGETS = ['iad', 'fra', 'nrt'];

export interface DemoOptions {
  durationS: number;
  faultS: number;
  wait: boolean;
  color: boolean;
}

function parseDemoArgs(argv: string[]): DemoOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      'fault-seconds': { type: 'string' },
      'no-wait': { type: 'boolean', default: false },
      'no-color': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'Usage: pnpm demo [--duration SECONDS] [--fault-seconds N] [--no-wait] [--no-color]\n' +
        'Starts a six-region network lab, runs scripted faults, prints matrices and alerts.\n',
    );
    process.exit(0);
  }
  const number = (raw: string | undefined, name: string, fallback: number, min: number) => {
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`${name}: must be a number >= ${min}, got "${raw}"`);
    return n;
  };
  return {
    durationS: number(values.duration ?? process.env.FLYPROBE_DEMO_SECONDS, '--duration', 900, 30),
    faultS: number(values['fault-seconds'], '--fault-seconds', 12, 2),
    wait: !values['no-wait'],
    color: !values['no-color'] && process.stdout.isTTY === true,
  };
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const pause = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

async function printMatrix(lab: Lab, path: NetworkPath, protocol: string, color: boolean) {
  const m = await lab.api<MatrixResponse>(
    `/v1/matrix?target=web&path=${path}&protocol=${protocol}&metric=p50&window=5m`,
  );
  say(
    `\n${path} / ${protocol}: p50 ms (samples), rows = probe region, columns = ${isRoutedPath(path) ? 'served' : 'target'} region`,
  );
  say(renderMatrix(m, { color, samples: true }));
}

async function printFindings(lab: Lab, color: boolean) {
  for (const path of ['private', 'pinned', 'anycast', 'flycast'] as const)
    await printMatrix(lab, path, 'http', color);
  const { routes } = await lab
    .api<{ routes: RouteSummary[] }>('/v1/routes?window=5m')
    .catch(() => ({ routes: [] }));
  if (routes.length > 0) {
    say('\nroutes (share of samples per edge -> served region; flycast enters at the own region):');
    for (const r of routes.filter((x) => x.protocol === 'http')) {
      const share = (o: Record<string, number>) =>
        Object.entries(o)
          .map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`)
          .join(', ');
      say(`  ${r.probeRegion} ${r.path}: edges ${share(r.edges)}; served ${share(r.served)}`);
    }
  }
  try {
    const { alerts } = await lab.api<{ alerts: AlertView[] }>('/v1/alerts?limit=50');
    say(`\nalerts (${alerts.length}):`);
    for (const a of alerts) say(`  [${a.state}] ${a.rule} ${a.scope}: ${a.summary}`);
    if (alerts.length === 0) say('  none yet (detectors need a few windows of samples)');
  } catch (err) {
    say(`\nalerts: not available (${(err as Error).message})`);
  }
}

async function runNamespaceDemo(o: DemoOptions): Promise<void> {
  say(`Starting a network lab: regions ${REGIONS.join(', ')}; the target runs in ${TARGETS.join(', ')}.`);
  say("Each region is a network namespace; one emulator process delays every packet by the region pair's");
  say('one-way delay (fibre floor x 1.3, scaled x0.25 to keep the demo quick).');
  const lab = await startLab({
    regions: REGIONS,
    targetRegions: TARGETS,
    delays: { scale: 0.25 },
    target: {
      paths: ['anycast', 'pinned', 'private', 'flycast'],
      protocols: ['http', 'tcp'],
      intervalMs: 1000,
      timeoutMs: 3000,
    },
    // A backstop only: the demo's own timer below stops it first, cleanly, with exit 0.
    maxDurationMs: o.durationS * 1000 + 60_000,
    log: say,
  });
  const hardStop = setTimeout(() => {
    say(`\n--duration ${o.durationS}s reached: stopping.`);
    void lab.stop().finally(() => process.exit(0));
  }, o.durationS * 1000);
  hardStop.unref();
  try {
    await lab.startCollector({ FLYPROBE_REPORT_INTERVAL_MS: '1000', FLYPROBE_CONFIG_POLL_MS: '5000' });
    say(`Collector up at ${lab.collectorUrl}; starting a probe in every region...`);
    say(`Dashboard (live while the lab runs): ${lab.collectorUrl}/dashboard/  sign in with ${lab.readToken}`);
    for (const r of REGIONS) await lab.startProbe(r);
    say(`Baseline: ${o.faultS}s of clean measurements.`);
    await pause(o.faultS);

    say(`\n1. Catchment misroute: BGP sends lhr's anycast traffic to nrt's edge (${o.faultS}s);`);
    say("   lhr's flycast traffic stays on lhr's own proxy: private addresses have no BGP catchment.");
    await lab.misrouteCatchment('lhr', 'nrt');
    await pause(o.faultS);
    await lab.resetCatchment('lhr');

    say(
      `2. Proxy misroute: dfw's edge forwards anycast and flycast to nrt instead of the nearest region iad (${o.faultS}s).`,
    );
    await lab.misrouteProxy('dfw', 'nrt');
    await pause(o.faultS);
    await lab.misrouteProxy('dfw', null);

    say(`3. Route flap: syd's catchment alternates between syd and nrt every 2 s (${o.faultS}s).`);
    await lab.flapCatchment('syd', { edges: ['syd', 'nrt'], periodMs: 2000 });
    await pause(o.faultS);
    await lab.resetCatchment('syd');

    say(
      `4. TCP resets: nftables in fra resets 50% of established flows to the anycast address (${o.faultS}s).`,
    );
    const rst = await lab.injectResets('fra', { daddr: lab.anycast, probability: 0.5 });
    await pause(o.faultS);
    await rst.remove();

    say(
      `5. Resets on one region pair: 30% of new connections from dfw to iad's private address are refused (${o.faultS}s).`,
    );
    const pair = await lab.injectResets('dfw', {
      daddr: lab.privateAddress('iad'),
      dport: [TARGET_PORTS.http, TARGET_PORTS.tcp],
      newOnly: true,
      probability: 0.3,
    });
    await pause(o.faultS);
    await pair.remove();

    say(`6. Asymmetric delay: +40 ms on iad -> fra only, fra -> iad unchanged (${o.faultS}s).`);
    await lab.addDelay('iad', 'fra', 40);
    await pause(o.faultS);
    await lab.addDelay('iad', 'fra', 0);

    const stats = await lab.emulatorStats();
    say(
      `\nEmulator: ${stats.forwarded} packets forwarded, dropped ${JSON.stringify(stats.dropped)}, ${stats.cpuSeconds.toFixed(1)} s CPU.`,
    );
    await printFindings(lab, o.color);

    if (!o.wait) return;
    say(`\nThe collector API stays up: ${lab.collectorUrl}`);
    say(`  read token: ${lab.readToken}`);
    say(
      `  try: curl -H 'authorization: Bearer ${lab.readToken}' '${lab.collectorUrl}/v1/matrix?target=web&path=pinned'`,
    );
    say(
      `  or:  FLYPROBE_COLLECTOR_URL=${lab.collectorUrl} FLYPROBE_TOKEN=${lab.readToken} pnpm flyprobe matrix --target web`,
    );
    say(`Press Ctrl-C to stop (stops by itself after --duration ${o.durationS}s).`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  } finally {
    clearTimeout(hardStop);
    say('Cleaning up the lab...');
    await lab.stop();
  }
}

async function main(): Promise<void> {
  const o = parseDemoArgs(process.argv.slice(2));
  const capability = labCapability();
  if (capability.ok) await runNamespaceDemo(o);
  else {
    say(`The namespace lab cannot run here: ${capability.reason}.`);
    say(
      'Running the loopback variant instead: regions are local processes on 127.0.0.x and the edges add the delays.',
    );
    await runLoopbackDemo(o, capability.reason);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
