import { type FakeEvent, type FakeMachine, imageRef, ulid } from './machine-shapes.ts';

// What happens to a running Machine between two list calls, written into the fake's stored Machine the way
// the Machines API then lists it (fly-go machine_types.go: MachineEvent.Request, MachineExitEvent).

/** fly-go MachineExitEvent, carried by an `exit` event's request. */
export interface FakeExitEvent {
  exit_code?: number;
  guest_exit_code?: number;
  guest_signal?: number;
  oom_killed?: boolean;
  requested_stop?: boolean;
  restarting?: boolean;
  signal?: number;
  exited_at: string;
}

/** A MachineEvent with its request, as exit events carry it (top level and inside MonitorEvent). */
export interface FakeEventWithRequest extends FakeEvent {
  request?: {
    exit_event?: FakeExitEvent;
    MonitorEvent?: { exit_event?: FakeExitEvent };
    restart_count?: number;
  };
}

/** Keeps the Machine's events newest first, the order the Machines API lists them in. */
const sortNewestFirst = (m: FakeMachine) => m.events.sort((a, b) => b.timestamp - a.timestamp);

/** The Machine's process exited at `at` and flyd restarted it half a second later (policy `on-failure`). */
export function recordExit(m: FakeMachine, at: number, exit: Omit<FakeExitEvent, 'exited_at'>): void {
  const exit_event = { ...exit, exited_at: new Date(at).toISOString() };
  const exited: FakeEventWithRequest = {
    id: ulid(),
    type: 'exit',
    status: 'stopped',
    source: 'flyd',
    timestamp: at,
    request: { exit_event, MonitorEvent: { exit_event }, restart_count: 1 },
  };
  m.events.push(exited, {
    id: ulid(),
    type: 'start',
    status: 'started',
    source: 'flyd',
    timestamp: at + 500,
  });
  sortNewestFirst(m);
  m.instance_id = ulid();
  m.updated_at = new Date(at + 500).toISOString();
}

/** A deploy at `at`: the user's `update` to `image`, which gives the Machine a new image ref and version. */
export function recordDeploy(m: FakeMachine, at: number, image: string): void {
  if (m.config) m.config.image = image;
  m.image_ref = imageRef(image);
  m.version = ulid();
  m.instance_id = ulid();
  m.events.push({ id: ulid(), type: 'update', status: 'replacing', source: 'user', timestamp: at });
  sortNewestFirst(m);
  m.updated_at = new Date(at).toISOString();
}
