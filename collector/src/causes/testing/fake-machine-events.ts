import { randomBytes } from 'node:crypto';
import { type HttpFake, sendJson, startHttpFake } from './http-fake.ts';

// The part of Fly's Machines API the machine-events source reads, `GET /v1/apps/{app}/machines`, with every
// field of superfly/fly-go's Machine, MachineImageRef, MachineEvent, MachineRequest and MachineExitEvent
// (machine_types.go) that the real API fills for a running app. Events are newest first, as the API lists them.

export interface FlyExitEventJson {
  exit_code?: number;
  guest_exit_code?: number;
  guest_signal?: number;
  oom_killed?: boolean;
  requested_stop?: boolean;
  restarting?: boolean;
  signal?: number;
  exited_at: string;
}

export interface FlyEventJson {
  type?: string;
  status?: string;
  source?: string;
  timestamp?: number;
  request?: {
    exit_event?: FlyExitEventJson;
    MonitorEvent?: { exit_event?: FlyExitEventJson };
    restart_count?: number;
  };
}

export interface FlyMachineJson {
  id: string;
  name: string;
  state: string;
  region: string;
  image_ref: {
    registry: string;
    repository: string;
    tag: string;
    digest: string;
    labels: Record<string, string>;
  };
  instance_id: string;
  version: string;
  private_ip: string;
  created_at: string;
  updated_at: string;
  config: {
    image: string;
    guest: { cpu_kind: string; cpus: number; memory_mb: number };
    restart: { policy: string };
  };
  events: FlyEventJson[];
  host_status: 'ok' | 'unknown' | 'unreachable';
  cordoned: boolean;
}

export interface FakeMachineEvents extends HttpFake {
  token: string;
  machines: FlyMachineJson[];
  addMachine(region: string, opts?: { memoryMb?: number; tag?: string }): FlyMachineJson;
  /** The Machine's process exited at `at` and flyd restarted it (restart policy `on-failure`). */
  exit(machineId: string, at: number, exit: Omit<FlyExitEventJson, 'exited_at'>): void;
  /** A deploy: `update` by the user and a new image. */
  deploy(machineId: string, at: number, tag: string): void;
  setHostStatus(machineId: string, status: FlyMachineJson['host_status']): void;
}

const hex = (n: number) => randomBytes(n).toString('hex');

export async function startFakeMachineEvents(app: string): Promise<FakeMachineEvents> {
  const token = `fm2_${hex(16)}`;
  const machines: FlyMachineJson[] = [];
  const find = (id: string) => {
    const m = machines.find((x) => x.id === id);
    if (!m) throw new Error(`no Machine ${id}`);
    return m;
  };
  const touch = (m: FlyMachineJson, at: number) => {
    m.updated_at = new Date(at).toISOString();
    m.instance_id = hex(13).toUpperCase();
  };
  const http = await startHttpFake((req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) return sendJson(res, 401, { error: 'unauthorized' });
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
    const path = (req.url ?? '').split('?')[0];
    if (path !== `/v1/apps/${app}/machines`) return sendJson(res, 404, { error: `app not found` });
    sendJson(res, 200, machines);
  });
  return {
    ...http,
    token,
    machines,
    addMachine(region, opts = {}) {
      const now = Date.now();
      const tag = opts.tag ?? 'deployment-01';
      const m: FlyMachineJson = {
        id: hex(7),
        name: `${region}-${hex(3)}`,
        state: 'started',
        region,
        image_ref: {
          registry: 'registry.fly.io',
          repository: app,
          tag,
          digest: `sha256:${hex(32)}`,
          labels: {},
        },
        instance_id: hex(13).toUpperCase(),
        version: hex(13).toUpperCase(),
        private_ip: `fdaa:0:1::${machines.length + 2}`,
        created_at: new Date(now).toISOString(),
        updated_at: new Date(now).toISOString(),
        config: {
          image: `registry.fly.io/${app}:${tag}`,
          guest: { cpu_kind: 'shared', cpus: 1, memory_mb: opts.memoryMb ?? 256 },
          restart: { policy: 'on-failure' },
        },
        events: [
          { type: 'start', status: 'started', source: 'flyd', timestamp: now },
          { type: 'launch', status: 'created', source: 'user', timestamp: now - 1000 },
        ],
        host_status: 'ok',
        cordoned: false,
      };
      machines.push(m);
      return m;
    },
    exit(machineId, at, exit) {
      const m = find(machineId);
      const exitEvent = { ...exit, exited_at: new Date(at).toISOString() };
      m.events.unshift(
        {
          type: 'exit',
          status: 'stopped',
          source: 'flyd',
          timestamp: at,
          request: { exit_event: exitEvent, MonitorEvent: { exit_event: exitEvent }, restart_count: 1 },
        },
        { type: 'start', status: 'started', source: 'flyd', timestamp: at + 500 },
      );
      // Newest first: the start after the exit.
      m.events.sort((a, b) => (b.timestamp ?? 0) - (a.timestamp ?? 0));
      touch(m, at + 500);
    },
    deploy(machineId, at, tag) {
      const m = find(machineId);
      m.image_ref = { ...m.image_ref, tag, digest: `sha256:${hex(32)}` };
      m.config.image = `registry.fly.io/${app}:${tag}`;
      m.version = hex(13).toUpperCase();
      m.events.unshift({ type: 'update', status: 'replacing', source: 'user', timestamp: at });
      touch(m, at);
    },
    setHostStatus(machineId, status) {
      find(machineId).host_status = status;
    },
  };
}
