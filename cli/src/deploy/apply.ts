import type { Logger } from '@flyprobe/shared';
import { errorMessage } from '../errors.ts';
import type { MachinesClient } from '../fly/machines-client.ts';
import { type ProbeIdentity, withIdentity } from '../fly/probe-machine-config.ts';
import type { Machine, MachineConfig } from '../fly/types.ts';
import { updatedConfig } from './drift.ts';
import { withLease } from './lease.ts';
import type { ActionKind, Plan, PlannedMachine } from './plan.ts';
import { newProbeId, type ProbeTokenIssuer } from './probe-tokens.ts';

/** The outcome of one plan action, as printed in the result table and `--json`. */
export interface StepResult {
  region: string;
  action: ActionKind;
  /** The Machine the step ended with (the new one for create/replace). */
  machineId: string | null;
  /** For replace: the Machine that was (or would have been) destroyed. */
  replacedId?: string;
  probeId?: string;
  ok: boolean;
  message: string;
}

export interface ApplyOptions {
  client: MachinesClient;
  plan: Plan;
  /** Config every probe Machine shares (image set; identity added per Machine). */
  config: MachineConfig;
  /** Mints a bound token per new Machine and revokes it on destroy; absent in shared-token mode. */
  tokens?: ProbeTokenIssuer;
  waitTimeoutSeconds: number;
  log: Logger;
}

/** A Machine this run created, updated or restarted that should now be running. */
interface Pending {
  step: StepResult;
  machine: Machine;
  replaces?: PlannedMachine;
}

/**
 * Applies a plan in three phases: create new Machines (create, and the new half of replace) and
 * update or restart existing ones under their lease; wait for all of them to start; then destroy what
 * the plan retires, each under its lease, revoking its token. An old Machine is destroyed only after
 * its replacement started. Never throws for one Machine's failure: each step reports its own result.
 */
export async function applyPlan(opts: ApplyOptions): Promise<StepResult[]> {
  const { plan } = opts;
  const results: StepResult[] = [];
  const pending: Pending[] = [];
  const repairs: Promise<void>[] = [];

  for (const action of plan.actions) {
    if (action.kind === 'destroy') continue;
    const step: StepResult = {
      region: action.region,
      action: action.kind,
      machineId: null,
      ok: false,
      message: '',
    };
    results.push(step);
    if (action.kind === 'keep') {
      Object.assign(step, { machineId: action.machine.id, probeId: action.machine.probeId, ok: true });
      step.message = `kept (${action.machine.state})`;
    } else if (action.kind === 'create' || action.kind === 'replace') {
      if (action.kind === 'replace') step.replacedId = action.machine.id;
      const machine = await launch(opts, step);
      if (machine)
        pending.push({ step, machine, replaces: action.kind === 'replace' ? action.machine : undefined });
    } else {
      const target = action.machine;
      Object.assign(step, { machineId: target.id, probeId: target.probeId });
      repairs.push(
        repair(opts, action.kind, target)
          .then((result) => {
            step.ok = result.ok;
            step.message = result.message;
          })
          .catch((err: unknown) => {
            step.message = `${action.kind} failed: ${errorMessage(err)}`;
          }),
      );
    }
  }

  await Promise.all([
    ...repairs,
    ...pending.map(async ({ step, machine }) => {
      const started = await waitStarted(opts, machine);
      step.ok = started.ok;
      step.message = started.message;
      if (started.ok) opts.log('info', `${machine.id} started in ${machine.region}`);
    }),
  ]);

  const retire: { machine: PlannedMachine; step?: StepResult }[] = [];
  for (const p of pending) if (p.replaces && p.step.ok) retire.push({ machine: p.replaces, step: p.step });
  for (const s of results) {
    if (s.action === 'replace' && !s.ok && s.replacedId) s.message += `; kept old Machine ${s.replacedId}`;
  }
  for (const a of plan.actions) if (a.kind === 'destroy') retire.push({ machine: a.machine });
  await Promise.all(
    retire.map(async ({ machine, step }) => {
      const outcome = await retireMachine(opts, machine);
      if (!step) {
        const { region, id, probeId } = machine;
        results.push({ region, action: 'destroy', machineId: id, probeId, ...outcome });
        return;
      }
      step.message += `; ${outcome.ok ? `destroyed old ${machine.id}` : outcome.message}`;
      if (!outcome.ok) step.ok = false;
    }),
  );
  return results;
}

/** Creates one new probe Machine with its own probe id and bound token; the token is revoked if creation fails. */
async function launch(opts: ApplyOptions, step: StepResult): Promise<Machine | undefined> {
  const { client, plan, log } = opts;
  const probeId = newProbeId(step.region);
  step.probeId = probeId;
  let identity: ProbeIdentity = { probeId };
  try {
    if (opts.tokens) {
      const token = await opts.tokens.mint({
        probeId,
        app: plan.app,
        region: step.region,
        name: `machine ${probeId}`,
      });
      identity = { probeId, token: { id: token.id, secret: token.secret } };
    }
  } catch (err) {
    step.message = `minting the probe token failed: ${errorMessage(err)}`;
    return undefined;
  }
  const name = `probe-${probeId}`;
  try {
    const machine = await client.create(plan.app, {
      name,
      region: step.region,
      config: withIdentity(opts.config, identity),
    });
    step.machineId = machine.id;
    log('info', `created ${machine.id} (${name}) in ${machine.region}`);
    if (machine.region !== step.region) {
      step.message = `Machine ${machine.id} was placed in ${machine.region}, not ${step.region} (no capacity there?)`;
      return undefined;
    }
    return machine;
  } catch (err) {
    step.message = `create failed: ${errorMessage(err)}`;
    if (identity.token) await revoke(opts, identity.token.id);
    return undefined;
  }
}

/** In-place update (full config, the Machine restarts on it) or restart, under the Machine's lease. */
async function repair(
  opts: ApplyOptions,
  kind: 'update' | 'restart',
  target: PlannedMachine,
): Promise<{ ok: boolean; message: string }> {
  const { client, plan, log } = opts;
  const lease = { app: plan.app, machineId: target.id, waitSeconds: opts.waitTimeoutSeconds };
  return withLease(client, lease, log, async (nonce) => {
    const current = await client.get(plan.app, target.id);
    let machine: Machine;
    if (kind === 'update') {
      if (!current.config)
        return { ok: false, message: `update skipped: the API has no full config of ${target.id}` };
      machine = await client.update(
        plan.app,
        target.id,
        { config: updatedConfig(opts.config, current.config) },
        nonce,
      );
      log('info', `updated ${target.id} in ${target.region}`);
    } else {
      if (current.state === 'stopped' || current.state === 'suspended')
        await client.start(plan.app, target.id, nonce);
      else await client.restart(plan.app, target.id, nonce);
      machine = current;
      log('info', `restarted ${target.id} in ${target.region}`);
    }
    const started = await waitStarted(opts, machine);
    return {
      ok: started.ok,
      message: started.ok ? (kind === 'update' ? 'updated in place; started' : 'restarted') : started.message,
    };
  });
}

/** Destroys a Machine under its lease, then revokes the token it carried. */
async function retireMachine(
  opts: ApplyOptions,
  m: PlannedMachine,
): Promise<{ ok: boolean; message: string }> {
  const { client, plan, log } = opts;
  try {
    const lease = { app: plan.app, machineId: m.id, waitSeconds: 0 };
    await withLease(client, lease, log, (nonce) => client.destroy(plan.app, m.id, true, nonce));
    log('info', `destroyed ${m.id} in ${m.region}`);
  } catch (err) {
    return { ok: false, message: `destroy ${m.id} failed: ${errorMessage(err)}` };
  }
  if (!m.tokenId) return { ok: true, message: 'destroyed' };
  if (!opts.tokens) return { ok: true, message: `destroyed; token ${m.tokenId} left valid (not revoked)` };
  const revoked = await revoke(opts, m.tokenId);
  return revoked
    ? { ok: true, message: `destroyed; token ${m.tokenId} revoked` }
    : { ok: false, message: `destroyed; revoking token ${m.tokenId} failed` };
}

async function revoke(opts: ApplyOptions, tokenId: string): Promise<boolean> {
  try {
    await opts.tokens?.revoke(tokenId);
    return true;
  } catch (err) {
    opts.log('warn', `revoking token ${tokenId} failed: ${errorMessage(err)}`);
    return false;
  }
}

/**
 * Waits up to the timeout in API-sized slices (the wait endpoint allows at most 60 s per call), pinned
 * to the instance the create or update answered with.
 */
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
