import { type Command, flagOption, stringOption } from '../command.ts';
import { applyPlan } from '../deploy/apply.ts';
import { computeDestroyPlan } from '../deploy/plan.ts';
import { renderPlan, renderResults } from '../deploy/render.ts';
import { UsageError } from '../errors.ts';
import { machinesClientFromEnv } from '../fly/machines-client.ts';
import { toJson } from '../output/formats.ts';
import { parseRegionList } from '../regions-arg.ts';

export const destroyCommand: Command = {
  summary: 'destroy the probe Machines in chosen regions',
  help: `Usage: flyprobe destroy --app APP --regions iad,fra [--dry-run] [--json]

Destroys (force) every Machine of the probe app in the given regions, within the Machines API rate
limits. Needs FLY_API_TOKEN (or FLY_ACCESS_TOKEN).

Options:
  --app APP         the probe app (required)
  --regions LIST    comma-separated region codes (required)
  --dry-run         print what would be destroyed and change nothing
  --json            print plan and results as JSON
  --api-url URL     Machines API base URL (FLY_API_HOSTNAME)
  -h, --help        show this help`,
  options: {
    app: { type: 'string' },
    regions: { type: 'string' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    'api-url': { type: 'string' },
  },
  async run(args, io) {
    const app = stringOption(args, 'app');
    if (!app) throw new UsageError('--app is required');
    const regions = parseRegionList(stringOption(args, 'regions'));
    const json = flagOption(args, 'json');
    const dryRun = flagOption(args, 'dry-run');
    const log = (line: string): void => {
      if (!json) io.stderr.write(`${line}\n`);
    };
    const client = machinesClientFromEnv(io.env, { apiUrl: stringOption(args, 'api-url') }, (n) =>
      log(`retrying ${n.call} in ${(n.delayMs / 1000).toFixed(1)}s (${n.reason}, attempt ${n.attempt})`),
    );
    const plan = computeDestroyPlan({ app, machines: await client.list(app), regions });
    if (!json) io.stdout.write(`${renderPlan(plan, io.color)}\n`);
    if (dryRun || plan.actions.length === 0) {
      if (json) io.stdout.write(toJson({ app, dryRun, plan: plan.actions }));
      else if (plan.actions.length === 0) io.stdout.write(`no Machines in ${regions.join(', ')}\n`);
      return 0;
    }
    const results = await applyPlan({
      client,
      plan,
      config: { image: '' },
      waitTimeoutSeconds: 0,
      log,
    });
    const ok = results.every((r) => r.ok);
    if (json) io.stdout.write(toJson({ app, dryRun, plan: plan.actions, results, ok }));
    else io.stdout.write(`\n${renderResults(results, io.color)}\n`);
    return ok ? 0 : 1;
  },
};
