import type { Machine } from '../fly/types.ts';

/** What `deploy` or `destroy` will do to one region; computed from the Machines list, applied by apply.ts. */
export type PlanAction =
  | { kind: 'create'; region: string }
  | { kind: 'keep'; region: string; machine: PlannedMachine }
  | { kind: 'replace'; region: string; machine: PlannedMachine; reason: string }
  | { kind: 'destroy'; region: string; machine: PlannedMachine; reason: string };

export interface PlannedMachine {
  id: string;
  name: string;
  region: string;
  state: string;
  image: string;
}

export interface Plan {
  app: string;
  /** Image new Machines get; null for a destroy-only plan. */
  image: string | null;
  actions: PlanAction[];
}

const GONE_STATES = new Set(['destroyed', 'destroying']);

/** Machines still counting toward a region: anything not being destroyed. */
export function liveMachines(machines: Machine[]): Machine[] {
  return machines.filter((m) => !GONE_STATES.has(m.state));
}

function summarize(m: Machine): PlannedMachine {
  return { id: m.id, name: m.name, region: m.region, state: m.state, image: m.config?.image ?? '' };
}

/** The image a deploy uses: the flag, else the one the app's newest Machine runs. */
export function resolveImage(requested: string | undefined, machines: Machine[]): string | undefined {
  if (requested) return requested;
  const newest = [...liveMachines(machines)].sort((a, b) =>
    (b.updated_at ?? b.created_at).localeCompare(a.updated_at ?? a.created_at),
  )[0];
  return newest?.config?.image || undefined;
}

/** Healthy Machines running the wanted image first, then the oldest: those are the ones worth keeping. */
function keepOrder(image: string) {
  const rank = (m: Machine): number => (m.config?.image === image ? 0 : 2) + (m.state === 'failed' ? 1 : 0);
  return (a: Machine, b: Machine): number => rank(a) - rank(b) || a.created_at.localeCompare(b.created_at);
}

/**
 * Per requested region: keep up to `perRegion` Machines on `image`, replace those on another image or
 * failed, create what is missing, destroy the surplus; destroy every Machine in a region not requested.
 * Pure: the same inputs give the same plan, and a converged app gives only `keep`.
 */
export function computeDeployPlan(input: {
  app: string;
  machines: Machine[];
  regions: string[];
  perRegion: number;
  image: string;
}): Plan {
  const byRegion = new Map<string, Machine[]>();
  for (const m of liveMachines(input.machines)) {
    byRegion.set(m.region, [...(byRegion.get(m.region) ?? []), m]);
  }
  const actions: PlanAction[] = [];
  const requested = [...new Set(input.regions)];
  for (const region of requested) {
    const present = [...(byRegion.get(region) ?? [])].sort(keepOrder(input.image));
    present.forEach((m, i) => {
      const machine = summarize(m);
      if (i >= input.perRegion) {
        actions.push({
          kind: 'destroy',
          region,
          machine,
          reason: `surplus (over ${input.perRegion} per region)`,
        });
      } else if (m.config?.image !== input.image) {
        actions.push({
          kind: 'replace',
          region,
          machine,
          reason: `image ${machine.image || '(none)'} differs`,
        });
      } else if (m.state === 'failed') {
        actions.push({ kind: 'replace', region, machine, reason: 'machine failed' });
      } else {
        actions.push({ kind: 'keep', region, machine });
      }
    });
    for (let i = present.length; i < input.perRegion; i++) actions.push({ kind: 'create', region });
  }
  const unrequested = [...byRegion.keys()].filter((r) => !requested.includes(r)).sort();
  for (const region of unrequested) {
    for (const m of byRegion.get(region) ?? []) {
      actions.push({ kind: 'destroy', region, machine: summarize(m), reason: 'region not requested' });
    }
  }
  return { app: input.app, image: input.image, actions };
}

/** Destroys every live Machine in the given regions. */
export function computeDestroyPlan(input: { app: string; machines: Machine[]; regions: string[] }): Plan {
  const wanted = new Set(input.regions);
  const actions: PlanAction[] = liveMachines(input.machines)
    .filter((m) => wanted.has(m.region))
    .sort((a, b) => a.region.localeCompare(b.region) || a.created_at.localeCompare(b.created_at))
    .map((m) => ({ kind: 'destroy', region: m.region, machine: summarize(m), reason: 'destroy requested' }));
  return { app: input.app, image: null, actions };
}

export function planChangesNothing(plan: Plan): boolean {
  return plan.actions.every((a) => a.kind === 'keep');
}

export function countActions(plan: Plan): Record<PlanAction['kind'], number> {
  const counts = { create: 0, keep: 0, replace: 0, destroy: 0 };
  for (const a of plan.actions) counts[a.kind]++;
  return counts;
}
