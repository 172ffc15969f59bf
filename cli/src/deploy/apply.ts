import { randomBytes } from 'node:crypto';
import { errorMessage } from '../errors.ts';
import type { MachinesClient } from '../fly/machines-client.ts';
import type { Machine, MachineConfig } from '../fly/types.ts';
import type { Plan, PlanAction } from './plan.ts';

/** The outcome of one plan action, as printed in the result table and `--json`. */
export interface StepResult {
  region: string;
  action: PlanAction['kind'];
  /** The Machine the step ended with (new one for create/replace, the old one for keep/destroy). */
  machineId: string | null;
  /** For replace: the Machine that was (or would have been) destroyed. */
  replacedId?: string;
  ok: boolean;
  message: string;
}

export interface ApplyOptions {
  client: MachinesClient;
  plan: Plan;
  /** Config for new Machines (image already set). */
  config: MachineConfig;
  waitTimeoutSeconds: number;
  log: (line: string) => void;
}

/** A Machine created by this run that should now be running in `region`. */
interface Launched {
  step: StepResult;
  machine: Machine;
  replaces?: string;
}

/**
 * Applies a plan: creates new Machines (create, and the new half of replace), waits for them to start,
 * then destroys what the plan retires; an old Machine is destroyed only after its replacement started.
 * Never throws for one region's failure: each step reports its own result.
 */
export async function applyPlan(opts: ApplyOptions): Promise<StepResult[]> {
  const { client, plan, log } = opts;
  const results: StepResult[] = [];
  const launched: Launched[] = [];

  for (const action of plan.actions) {
    if (action.kind === 'keep') {
      results.push({
        region: action.region,
        action: 'keep',
        machineId: action.machine.id,
        ok: true,
        message: `kept (${action.machine.state})`,
      });
      continue;
    }
    if (action.kind === 'destroy') continue;
    const step: StepResult = {
      region: action.region,
      action: action.kind,
      machineId: null,
      ok: false,
      message: '',
    };
    if (action.kind === 'replace') step.replacedId = action.machine.id;
    results.push(step);
    const name = `probe-${action.region}-${randomBytes(3).toString('hex')}`;
    try {
      const machine = await client.create(plan.app, { name, region: action.region, config: opts.config });
      step.machineId = machine.id;
      log(`created ${machine.id} (${name}) in ${machine.region}`);
      if (machine.region !== action.region) {
        step.message = `Machine ${machine.id} was placed in ${machine.region}, not ${action.region} (no capacity there?)`;
        continue;
      }
      launched.push({ step, machine, replaces: step.replacedId });
    } catch (err) {
      step.message = `create failed: ${errorMessage(err)}`;
    }
  }

  await Promise.all(
    launched.map(async ({ step, machine }) => {
      const started = await waitStarted(opts, machine);
      step.ok = started.ok;
      step.message = started.message;
      if (started.ok) log(`${machine.id} started in ${machine.region}`);
    }),
  );

  const retire: { region: string; id: string; step?: StepResult; reason: string }[] = [];
  for (const l of launched) {
    if (l.replaces && l.step.ok)
      retire.push({ region: l.step.region, id: l.replaces, step: l.step, reason: 'replaced' });
  }
  for (const s of results) {
    if (s.action === 'replace' && !s.ok && s.replacedId) s.message += `; kept old Machine ${s.replacedId}`;
  }
  for (const a of plan.actions) {
    if (a.kind === 'destroy') retire.push({ region: a.region, id: a.machine.id, reason: a.reason });
  }
  await Promise.all(
    retire.map(async (r) => {
      try {
        await client.destroy(plan.app, r.id, true);
        log(`destroyed ${r.id} in ${r.region}`);
        if (r.step) r.step.message += `; destroyed old ${r.id}`;
        else
          results.push({
            region: r.region,
            action: 'destroy',
            machineId: r.id,
            ok: true,
            message: 'destroyed',
          });
      } catch (err) {
        const message = `destroy ${r.id} failed: ${errorMessage(err)}`;
        if (r.step) {
          r.step.ok = false;
          r.step.message += `; ${message}`;
        } else results.push({ region: r.region, action: 'destroy', machineId: r.id, ok: false, message });
      }
    }),
  );
  return results;
}

/** Waits up to the timeout in API-sized slices (the wait endpoint allows at most 60 s per call). */
async function waitStarted(opts: ApplyOptions, machine: Machine): Promise<{ ok: boolean; message: string }> {
  const deadline = Date.now() + opts.waitTimeoutSeconds * 1000;
  try {
    for (;;) {
      const left = Math.ceil((deadline - Date.now()) / 1000);
      if (left <= 0) break;
      const reached = await opts.client.waitForState(opts.plan.app, machine.id, {
        state: 'started',
        instanceId: machine.instance_id,
        timeoutSeconds: Math.min(60, left),
      });
      if (reached) return { ok: true, message: 'started' };
    }
    const now = await opts.client.get(opts.plan.app, machine.id).catch(() => undefined);
    return {
      ok: false,
      message: `Machine ${machine.id} did not start within ${opts.waitTimeoutSeconds}s (state: ${now?.state ?? 'unknown'})`,
    };
  } catch (err) {
    return { ok: false, message: `waiting for ${machine.id} to start failed: ${errorMessage(err)}` };
  }
}
