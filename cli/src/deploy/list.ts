import type { MachinesClient } from '../fly/machines-client.ts';
import { MANAGED_BY_KEY, MANAGED_ROLE } from '../fly/probe-machine-config.ts';
import type { Machine } from '../fly/types.ts';

/**
 * The app's Machines as a plan needs them: the list filtered on flyprobe's marker (what the plan may
 * touch, re-checked by the planner) and the unfiltered list (to report the others).
 */
export async function listForPlan(
  client: MachinesClient,
  app: string,
): Promise<{ machines: Machine[]; everyMachine: Machine[] }> {
  const machines = await client.list(app, { metadata: { [MANAGED_BY_KEY]: MANAGED_ROLE } });
  const everyMachine = await client.list(app);
  return { machines, everyMachine };
}
