import { CollectorClient } from '../collector-api/client.ts';
import { adminTarget } from '../collector-api/options.ts';
import { type Command, flagOption } from '../command.ts';
import { applyPlan } from '../deploy/apply.ts';
import { listForPlan } from '../deploy/list.ts';
import { MACHINE_OPTIONS, machineArgs } from '../deploy/machine-args.ts';
import { computeDestroyPlan } from '../deploy/plan.ts';
import { collectorTokenIssuer } from '../deploy/probe-tokens.ts';
import { renderPlan, renderResults } from '../deploy/render.ts';
import { UsageError } from '../errors.ts';
import { toJson } from '../output/formats.ts';

export const destroyCommand: Command = {
  summary: 'destroy the probe Machines in chosen regions',
  help: `Usage: flyprobe destroy --app APP --regions iad,fra [--dry-run] [--json]

Destroys (force, holding each Machine's lease) the Machines flyprobe manages in the given regions
(metadata flyprobe_role=probe) and revokes the probe token each one carried. Other Machines in those
regions (fly deploy's, hand-made ones) are reported as "not managed by flyprobe" and left untouched.
Needs FLY_API_TOKEN (or FLY_ACCESS_TOKEN), and the collector with an admin token to revoke tokens.

Options:
  --app APP         the probe app (required)
  --regions LIST    comma-separated region codes (required)
  --dry-run         print what would be destroyed and change nothing
  --json            print plan and results as JSON
  --api-url URL     Machines API base URL (FLY_FLAPS_BASE_URL, FLY_API_HOSTNAME)
  --no-revoke       leave the Machines' probe tokens valid (e.g. the collector is gone)
  --collector URL   collector base URL (FLYPROBE_COLLECTOR_URL)
  --token T         admin token (FLYPROBE_TOKEN, else FLYPROBE_ADMIN_TOKEN)
  -h, --help        show this help`,
  options: {
    ...MACHINE_OPTIONS,
    'no-revoke': { type: 'boolean' },
  },
  async run(args, io) {
    const { app, regions, json, dryRun, log, client } = machineArgs(args, io);
    const plan = computeDestroyPlan({ app, ...(await listForPlan(client, app)), regions });
    if (!json) io.stdout.write(`${renderPlan(plan, io.color)}\n`);
    if (dryRun || plan.actions.length === 0) {
      if (json) io.stdout.write(toJson({ app, dryRun, plan: plan.actions, foreign: plan.foreign }));
      else if (plan.actions.length === 0) io.stdout.write(`no flyprobe Machines in ${regions.join(', ')}\n`);
      return 0;
    }
    const target = adminTarget(args, io.env);
    const needsRevoke = plan.actions.some((a) => a.kind !== 'create' && a.machine.tokenId);
    if (needsRevoke && !flagOption(args, 'no-revoke') && !target?.token) {
      throw new UsageError(
        'these Machines carry probe tokens: pass --collector URL and an admin token to revoke them, or --no-revoke',
      );
    }
    const results = await applyPlan({
      client,
      plan,
      config: { image: '' },
      tokens:
        target?.token && !flagOption(args, 'no-revoke')
          ? collectorTokenIssuer(new CollectorClient(target))
          : undefined,
      waitTimeoutSeconds: 0,
      log,
    });
    const ok = results.every((r) => r.ok);
    if (json)
      io.stdout.write(toJson({ app, dryRun, plan: plan.actions, foreign: plan.foreign, results, ok }));
    else io.stdout.write(`\n${renderResults(results, io.color)}\n`);
    return ok ? 0 : 1;
  },
};
