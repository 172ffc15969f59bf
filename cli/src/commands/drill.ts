import { checkDeployableRegion } from '@flyprobe/shared';
import { requireCollector } from '../collector-api/client.ts';
import { COLLECTOR_HELP, COLLECTOR_OPTIONS, collectorFlags } from '../collector-api/options.ts';
import { type Command, flagOption, intOption, stringOption } from '../command.ts';
import { FlyRegionStopper } from '../drill/fly-stopper.ts';
import { collectorSamples } from '../drill/observer.ts';
import { formatDrillReport } from '../drill/report.ts';
import { runDrill } from '../drill/runner.ts';
import { UsageError } from '../errors.ts';
import { machinesClientFromEnv } from '../fly/machines-client.ts';
import { toJson } from '../output/formats.ts';

/** Results before the stop that tell where each probe region was served. */
const BASELINE_MS = 60_000;

export const drillCommand: Command = {
  summary: 'failover drill: stop the target in a region, measure routing converging away and back',
  help: `Usage: flyprobe drill --app APP --region R --yes [--target NAME] [--flycast] [--force] [--json]

Stops the app's running Machines in region R through the Machines API (with a lease on each),
watches the target's anycast results (and Flycast with --flycast) from every probe region through
the collector until each is served elsewhere, starts the Machines again, waits until traffic is
back, and prints per probe region: time to converge away, errors during the switch (resets,
timeouts, stream terminations), time to converge back. Without --yes it only says what it would
stop. It refuses a region holding all of the app's running Machines unless --force. The Machines
are started again and the leases released whatever happens after the stop. See docs/CAUSES.md.

Options:
  --app APP         the target's Fly app (its Machines are stopped)
  --region R        the region to drain
  --yes             really stop the Machines
  --target NAME     the collector's target name (default: the app name)
  --flycast         also watch the target's flycast path
  --force           drill even when R holds all of the app's running Machines
  --timeout S       seconds to wait for each convergence (default 120)
  --poll S          seconds between reads of the collector (default 2)
  --min-run N       consecutive good samples that count as converged (default 3)
  --api-url URL     Machines API base URL (FLY_API_HOSTNAME; token from FLY_API_TOKEN)
  --json            print the report as JSON
${COLLECTOR_HELP}
  -h, --help        show this help`,
  options: {
    app: { type: 'string' },
    region: { type: 'string' },
    yes: { type: 'boolean' },
    target: { type: 'string' },
    flycast: { type: 'boolean' },
    force: { type: 'boolean' },
    timeout: { type: 'string' },
    poll: { type: 'string' },
    'min-run': { type: 'string' },
    'api-url': { type: 'string' },
    json: { type: 'boolean' },
    ...COLLECTOR_OPTIONS,
  },
  async run(args, io) {
    const app = stringOption(args, 'app');
    if (!app) throw new UsageError('--app is required');
    const regionArg = stringOption(args, 'region');
    if (!regionArg) throw new UsageError('--region is required');
    const region = checkDeployableRegion(regionArg);
    if (!region.ok) throw new UsageError(`--region: ${region.message}`);
    const timeoutS = intOption(args, 'timeout', 120, 5, 3600);
    const pollS = intOption(args, 'poll', 2, 1, 60);
    const minRun = intOption(args, 'min-run', 3, 1, 100);
    const collector = requireCollector(collectorFlags(args), io.env);
    const stopper = new FlyRegionStopper(
      machinesClientFromEnv(io.env, { apiUrl: stringOption(args, 'api-url') }),
      {
        app,
        region: region.region.code,
        force: flagOption(args, 'force'),
        leaseSeconds: 2 * timeoutS + 120,
        waitSeconds: 60,
      },
    );
    if (!flagOption(args, 'yes')) {
      io.stderr.write(
        `would stop ${await stopper.describe()} in ${region.region.code}; re-run with --yes to drill\n`,
      );
      return 1;
    }
    const report = await runDrill({
      region: region.region.code,
      stopper,
      samples: collectorSamples(collector, {
        target: stringOption(args, 'target') ?? app,
        paths: flagOption(args, 'flycast') ? ['anycast', 'flycast'] : ['anycast'],
        since: Date.now() - BASELINE_MS,
      }),
      phaseTimeoutMs: timeoutS * 1000,
      pollMs: pollS * 1000,
      minRun,
      now: Date.now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      log: (_level, line) => io.stderr.write(`${line}\n`),
    });
    io.stdout.write(flagOption(args, 'json') ? toJson(report) : formatDrillReport(report, io.color));
    return report.timedOut.length > 0 ? 1 : 0;
  },
};
