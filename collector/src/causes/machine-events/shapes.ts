import { z } from 'zod';

// The Machines API's Machine and MachineEvent (superfly/fly-go machine_types.go: Machine, MachineEvent,
// MachineRequest, MachineExitEvent), read loosely: only fields used here are required, unknown ones are kept
// out of the way. The fake Machines API (test/fake-machines) serves every documented field.
const exitEvent = z.object({
  exit_code: z.number().int().optional(),
  guest_exit_code: z.number().int().optional(),
  guest_signal: z.number().int().optional(),
  oom_killed: z.boolean().optional(),
  requested_stop: z.boolean().optional(),
  restarting: z.boolean().optional(),
  signal: z.number().int().optional(),
  exited_at: z.string().optional(),
});

export const machineEvent = z.object({
  type: z.string().optional(),
  status: z.string().optional(),
  source: z.string().optional(),
  timestamp: z.number().int().optional(),
  request: z
    .object({
      exit_event: exitEvent.optional(),
      MonitorEvent: z.object({ exit_event: exitEvent.optional() }).optional(),
      restart_count: z.number().int().optional(),
    })
    .optional(),
});

export const machine = z.object({
  id: z.string(),
  name: z.string().optional(),
  state: z.string().optional(),
  region: z.string().optional(),
  image_ref: z
    .object({
      registry: z.string().optional(),
      repository: z.string().optional(),
      tag: z.string().optional(),
      digest: z.string().optional(),
    })
    .optional(),
  instance_id: z.string().optional(),
  host_status: z.string().optional(),
  config: z.object({ guest: z.object({ memory_mb: z.number().int().optional() }).optional() }).optional(),
  events: z.array(machineEvent).optional(),
});

export const machineList = z.array(machine);

export type FlyMachine = z.infer<typeof machine>;
export type FlyMachineEvent = z.infer<typeof machineEvent>;
export type FlyExitEvent = z.infer<typeof exitEvent>;
