import { CollectorClient, type CollectorTarget } from '../collector-api/client.ts';
import { adminTarget } from '../collector-api/options.ts';
import { type Command, flagOption, intOption, stringOption } from '../command.ts';
import { applyPlan, type StepResult } from '../deploy/apply.ts';
import { confirmHeartbeats, type ExpectedProbe } from '../deploy/confirm.ts';
import { listForPlan } from '../deploy/list.ts';
import { MACHINE_OPTIONS, machineArgs } from '../deploy/machine-args.ts';
import { computeDeployPlan, countActions, planChangesNothing, resolveImage } from '../deploy/plan.ts';
import { collectorTokenIssuer, type ProbeTokenIssuer } from '../deploy/probe-tokens.ts';
import { renderPlan, renderResults } from '../deploy/render.ts';
import { CliError, UsageError } from '../errors.ts';
import type { MachinesClient } from '../fly/machines-client.ts';
import { probeMachineConfig } from '../fly/probe-machine-config.ts';
import { toJson } from '../output/formats.ts';

/** Kept Machines count as confirmed when their probe was seen this recently before the deploy. */
const KEPT_HEARTBEAT_WINDOW_MS = 120_000;

export const deployCommand: Command = {
  summary: 'deploy probe Machines to chosen regions through the Machines API (plan, apply, confirm)',
  help: `Usage: flyprobe deploy --app APP --regions iad,fra,syd [--per-region N] [--image REF] [--dry-run] [--json]

Lists the probe app's Machines that flyprobe manages (metadata flyprobe_role=probe; every other
Machine is reported as "not managed by flyprobe" and never touched) and plans per region: create,
keep, update in place (env, size, services or image differ), restart (stopped, or a critical health
check), replace (failed, or host unreachable), destroy surplus Machines and regions not asked for. It
prints the plan with the reason for each change and, without --dry-run, applies it within the
Machines API rate limits, holding each existing Machine's lease while changing it, waits for each
Machine to start and confirms each region by its probe's heartbeat in the collector. Running it again
with the same arguments changes nothing.

Each new Machine gets its own probe id (<region>-<6 hex>, env FLYPROBE_PROBE_ID) and a probe token
bound to that id, the app and the region, minted through the collector (POST /v1/tokens, admin token)
before the Machine is created and passed as its FLYPROBE_TOKEN; destroy revokes it.
--shared-probe-token skips this: probes then use the app's FLYPROBE_TOKEN secret, an unbound token
the collector accepts only with FLYPROBE_ALLOW_UNBOUND_PROBES=1 (local/lab mode).

Needs FLY_API_TOKEN (or FLY_ACCESS_TOKEN; "FlyV1 fm2_..." tokens from fly tokens create work as
they are). The API is https://api.machines.dev unless --api-url, FLY_FLAPS_BASE_URL or
FLY_API_HOSTNAME says otherwise.

Options:
  --app APP                 the probe app (required)
  --regions LIST            comma-separated region codes (required)
  --per-region N            Machines per region (default 1)
  --image REF               image to run (default: the image flyprobe's Machines run now)
  --dry-run                 print the plan and change nothing
  --json                    print plan and results as JSON
  --api-url URL             Machines API base URL (FLY_FLAPS_BASE_URL, FLY_API_HOSTNAME)
  --probe-collector-url URL FLYPROBE_COLLECTOR_URL given to the probes (default: --collector);
                            on Fly: http://<collector app>.internal:8080
  --public                  publish the echo services through Fly's proxy (public IPs); off by
                            default: probes talk over 6PN and need no service
  --shared-probe-token      do not mint per-Machine tokens (probes use the FLYPROBE_TOKEN secret)
  --wait-timeout SECONDS    how long a new Machine may take to start (default 120)
  --no-confirm              do not wait for heartbeats in the collector
  --confirm-timeout SECONDS how long to wait for heartbeats (default 120)
  --collector URL           collector base URL for tokens and heartbeats (FLYPROBE_COLLECTOR_URL)
  --token T                 admin token (FLYPROBE_TOKEN, else FLYPROBE_ADMIN_TOKEN)
  -h, --help                show this help`,
  options: {
    ...MACHINE_OPTIONS,
    'per-region': { type: 'string' },
    image: { type: 'string' },
    'probe-collector-url': { type: 'string' },
    'wait-timeout': { type: 'string' },
    'no-confirm': { type: 'boolean' },
    'confirm-timeout': { type: 'string' },
    public: { type: 'boolean' },
    'shared-probe-token': { type: 'boolean' },
  },
  async run(args, io) {
    const { app, regions, json, dryRun, log, client } = machineArgs(args, io);
    const perRegion = intOption(args, 'per-region', 1, 1, 10);
    const waitTimeout = intOption(args, 'wait-timeout', 120, 1, 3600);
    const confirmTimeout = intOption(args, 'confirm-timeout', 120, 1, 3600);
    const target = adminTarget(args, io.env);
    const tokens = probeTokens(target, flagOption(args, 'shared-probe-token'));

    await checkOffered(client, regions);
    const listed = await listForPlan(client, app);
    const image = resolveImage(stringOption(args, 'image'), listed.machines);
    if (!image)
      throw new CliError(`--image is required: app ${app} has no flyprobe Machines to take the image from`);
    const config = probeMachineConfig({
      image,
      collectorUrl: stringOption(args, 'probe-collector-url') ?? target?.url,
      public: flagOption(args, 'public'),
    });
    const plan = computeDeployPlan({ app, ...listed, regions, perRegion, config });
    if (!json) io.stdout.write(`${renderPlan(plan, io.color)}\n`);

    if (dryRun || planChangesNothing(plan)) {
      if (json)
        io.stdout.write(
          toJson({
            app,
            image,
            dryRun,
            changes: !planChangesNothing(plan),
            plan: plan.actions,
            foreign: plan.foreign,
          }),
        );
      else io.stdout.write(planChangesNothing(plan) ? 'nothing to change\n' : 'dry run: nothing changed\n');
      return 0;
    }

    const startedAt = Date.now();
    const results = await applyPlan({ client, plan, config, tokens, waitTimeoutSeconds: waitTimeout, log });

    const confirmation = await confirm(
      results,
      target,
      startedAt,
      confirmTimeout,
      flagOption(args, 'no-confirm'),
    );
    const ok = results.every((r) => r.ok);
    const counts = countActions(plan);
    if (json) {
      io.stdout.write(
        toJson({
          app,
          image,
          dryRun,
          changes: true,
          plan: plan.actions,
          foreign: plan.foreign,
          results,
          confirmation,
          retries: client.retries,
          ok,
        }),
      );
    } else {
      io.stdout.write(`\n${renderResults(results, io.color)}\n`);
      io.stdout.write(
        `${counts.create} created, ${counts.update} updated, ${counts.restart} restarted, ${counts.replace} replaced, ${counts.destroy} destroyed, ${counts.keep} kept; ${confirmation}\n`,
      );
    }
    return ok ? 0 : 1;
  },
};

/** Per-Machine tokens need the collector's admin API; without it, only the documented shared mode runs. */
function probeTokens(target: CollectorTarget | undefined, shared: boolean): ProbeTokenIssuer | undefined {
  if (shared) return undefined;
  if (!target?.token) {
    throw new UsageError(
      'per-Machine probe tokens need the collector: pass --collector URL and an admin token ' +
        '(--token, FLYPROBE_TOKEN or FLYPROBE_ADMIN_TOKEN), or --shared-probe-token for local/lab mode',
    );
  }
  return collectorTokenIssuer(new CollectorClient(target));
}

/** The catalog can lag behind Fly: refuse regions the platform does not offer right now. */
async function checkOffered(client: MachinesClient, regions: string[]): Promise<void> {
  const offered = new Set((await client.platformRegions()).map((r) => r.code));
  if (offered.size === 0) return;
  const missing = regions.filter((r) => !offered.has(r));
  if (missing.length > 0) {
    throw new CliError(
      missing
        .map((r) => `region "${r}" is not offered by the Machines API (GET /v1/platform/regions)`)
        .join('\n'),
    );
  }
}

/** Marks each running step with its heartbeat result; returns a one-line summary. */
async function confirm(
  results: StepResult[],
  target: CollectorTarget | undefined,
  startedAt: number,
  timeoutSeconds: number,
  skip: boolean,
): Promise<string> {
  if (skip) return 'heartbeats not checked (--no-confirm)';
  if (!target) return 'heartbeats not checked (no collector configured)';
  const expected: ExpectedProbe[] = results
    .filter((r) => r.ok && r.machineId && r.action !== 'destroy')
    .map((r) => ({
      region: r.region,
      machineId: r.machineId as string,
      since: r.action === 'keep' ? startedAt - KEPT_HEARTBEAT_WINDOW_MS : startedAt,
    }));
  if (expected.length === 0) return 'no running Machines to confirm';
  const confirmations = await confirmHeartbeats({
    collector: new CollectorClient(target),
    expected,
    timeoutMs: timeoutSeconds * 1000,
  });
  let confirmed = 0;
  for (const r of results) {
    const c = r.machineId ? confirmations.get(r.machineId) : undefined;
    if (!c || r.action === 'destroy') continue;
    if (c.ok) confirmed++;
    else r.ok = false;
    r.message += `; ${c.message}`;
  }
  return `${confirmed}/${expected.length} Machines confirmed by heartbeat`;
}
