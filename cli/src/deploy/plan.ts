import type { Machine, MachineConfig } from '../fly/types.ts';
import { configDrift } from './drift.ts';
import { healthVerdict } from './health.ts';
import {
  type ForeignSummary,
  knownConfig,
  ownership,
  recordedIdentity,
  summarizeForeign,
} from './ownership.ts';

/** What `deploy` or `destroy` will do to one region; computed from the Machines list, applied by apply.ts. */
export type PlanAction =
  | { kind: 'create'; region: string }
  | { kind: 'keep'; region: string; machine: PlannedMachine }
  | { kind: 'update'; region: string; machine: PlannedMachine; reason: string }
  | { kind: 'restart'; region: string; machine: PlannedMachine; reason: string }
  | { kind: 'replace'; region: string; machine: PlannedMachine; reason: string }
  | { kind: 'destroy'; region: string; machine: PlannedMachine; reason: string };

export type ActionKind = PlanAction['kind'];

export interface PlannedMachine {
  id: string;
  name: string;
  region: string;
  state: string;
  image: string;
  probeId?: string;
  tokenId?: string;
}

export interface Plan {
  app: string;
  /** Image new Machines get; null for a destroy-only plan. */
  image: string | null;
  actions: PlanAction[];
  /** Machines in the app that flyprobe does not manage, per region: reported, never touched. */
  foreign: ForeignSummary[];
}

const GONE_STATES = new Set(['destroyed', 'destroying']);

/** Machines still counting toward a region: anything not being destroyed. */
export function liveMachines(machines: Machine[]): Machine[] {
  return machines.filter((m) => !GONE_STATES.has(m.state));
}

/** Live Machines flyprobe manages (re-checked here whatever the list call filtered on). */
export function managedMachines(machines: Machine[]): Machine[] {
  return liveMachines(machines).filter((m) => ownership(m).managed);
}

function summarize(m: Machine): PlannedMachine {
  return {
    id: m.id,
    name: m.name,
    region: m.region,
    state: m.state,
    image: knownConfig(m)?.image ?? '',
    ...recordedIdentity(m),
  };
}

/** The image a deploy uses: the flag, else the one flyprobe's newest Machine runs. */
export function resolveImage(requested: string | undefined, machines: Machine[]): string | undefined {
  if (requested) return requested;
  const newest = [...managedMachines(machines)].sort((a, b) =>
    (b.updated_at ?? b.created_at).localeCompare(a.updated_at ?? a.created_at),
  )[0];
  return (newest && knownConfig(newest)?.image) || undefined;
}

/** What one kept-count Machine needs: nothing, an in-place update, a restart or a replacement. */
function repairOf(m: Machine, wanted: MachineConfig): Exclude<PlanAction, { kind: 'create' | 'destroy' }> {
  const region = m.region;
  const machine = summarize(m);
  const health = healthVerdict(m);
  if (health?.kind === 'replace') return { kind: 'replace', region, machine, reason: health.reason };
  const drift = m.config ? configDrift(wanted, m.config) : [];
  if (drift.length > 0) {
    const why = `${drift.join(', ')} differ${health ? `; ${health.reason}` : ''}`;
    return { kind: 'update', region, machine, reason: why };
  }
  if (health) return { kind: 'restart', region, machine, reason: health.reason };
  return { kind: 'keep', region, machine };
}

const REPAIR_RANK: Record<string, number> = { keep: 0, update: 1, restart: 2, replace: 3 };

/**
 * Per requested region: keep up to `perRegion` of flyprobe's Machines, updating drifted ones in place,
 * restarting unhealthy ones and replacing failed or unreachable ones; create what is missing; destroy
 * the surplus (the least healthy first) and flyprobe's Machines in regions not requested. Machines
 * flyprobe does not manage are only counted. Pure: a converged app gives only `keep`.
 */
export function computeDeployPlan(input: {
  app: string;
  /** The Machines list filtered on flyprobe's marker (re-checked here). */
  machines: Machine[];
  /** The unfiltered list, for the report of Machines flyprobe leaves alone. */
  everyMachine?: Machine[];
  regions: string[];
  perRegion: number;
  config: MachineConfig;
}): Plan {
  const byRegion = new Map<string, Machine[]>();
  for (const m of managedMachines(input.machines))
    byRegion.set(m.region, [...(byRegion.get(m.region) ?? []), m]);
  const actions: PlanAction[] = [];
  const requested = [...new Set(input.regions)];
  for (const region of requested) {
    const ranked = (byRegion.get(region) ?? [])
      .map((m) => ({ m, repair: repairOf(m, input.config) }))
      .sort(
        (a, b) =>
          (REPAIR_RANK[a.repair.kind] ?? 9) - (REPAIR_RANK[b.repair.kind] ?? 9) ||
          a.m.created_at.localeCompare(b.m.created_at),
      );
    ranked.forEach(({ m, repair }, i) => {
      if (i < input.perRegion) actions.push(repair);
      else
        actions.push({
          kind: 'destroy',
          region,
          machine: summarize(m),
          reason: `surplus (over ${input.perRegion} per region)`,
        });
    });
    for (let i = ranked.length; i < input.perRegion; i++) actions.push({ kind: 'create', region });
  }
  const unrequested = [...byRegion.keys()].filter((r) => !requested.includes(r)).sort();
  for (const region of unrequested) {
    for (const m of byRegion.get(region) ?? []) {
      actions.push({ kind: 'destroy', region, machine: summarize(m), reason: 'region not requested' });
    }
  }
  return {
    app: input.app,
    image: input.config.image,
    actions,
    foreign: summarizeForeign(liveMachines(union(input.machines, input.everyMachine))),
  };
}

function union(a: Machine[], b: Machine[] = []): Machine[] {
  const ids = new Set(a.map((m) => m.id));
  return [...a, ...b.filter((m) => !ids.has(m.id))];
}

/** Destroys flyprobe's live Machines in the given regions; reports the others there. */
export function computeDestroyPlan(input: {
  app: string;
  machines: Machine[];
  everyMachine?: Machine[];
  regions: string[];
}): Plan {
  const wanted = new Set(input.regions);
  const inRegions = liveMachines(union(input.machines, input.everyMachine)).filter((m) =>
    wanted.has(m.region),
  );
  const managedIds = new Set(input.machines.map((m) => m.id));
  const actions: PlanAction[] = managedMachines(inRegions.filter((m) => managedIds.has(m.id)))
    .sort((a, b) => a.region.localeCompare(b.region) || a.created_at.localeCompare(b.created_at))
    .map((m) => ({ kind: 'destroy', region: m.region, machine: summarize(m), reason: 'destroy requested' }));
  return { app: input.app, image: null, actions, foreign: summarizeForeign(inRegions) };
}

export function planChangesNothing(plan: Plan): boolean {
  return plan.actions.every((a) => a.kind === 'keep');
}

export function countActions(plan: Plan): Record<ActionKind, number> {
  const counts: Record<ActionKind, number> = {
    create: 0,
    keep: 0,
    update: 0,
    restart: 0,
    replace: 0,
    destroy: 0,
  };
  for (const a of plan.actions) counts[a.kind]++;
  return counts;
}
