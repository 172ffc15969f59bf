import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { currentRegions } from '@flyprobe/shared';
import { type FakeMachine, imageRef, instanceId, isoNow, machineId, privateIp } from './machine-shapes.ts';
import { RateBuckets, type RateLimit } from './rate-buckets.ts';
import { createBodyProblem } from './validate.ts';

/**
 * A fake of Fly's Machines API (https://api.machines.dev) on loopback, for tests of `flyprobe deploy`:
 * list / create / get / wait / stop / start / delete Machines and GET /v1/platform/regions, with bearer
 * auth, the documented JSON shapes, errors as `{error}`, per-action rate limits answering 429 with
 * Retry-After, and knobs to misplace a Machine in another region or make its start fail.
 */
export interface FakeMachinesOptions {
  token: string;
  /** Apps that exist; requests for others get 404. */
  apps: string[];
  /** Per action per Machine (create: per app); Get Machine has its own, looser limit. */
  rateLimit?: RateLimit;
  getRateLimit?: RateLimit;
  /** Time a Machine spends in `created`/`starting` before `started`. */
  startDelayMs?: number;
  /** Called when a Machine reaches `started`: tests boot what would run inside it (e.g. a probe heartbeat). */
  onStarted?: (app: string, machine: FakeMachine) => void;
}

export interface FakeMachinesKnobs {
  /** Asked region -> region the Machine actually lands in. */
  misplace: Map<string, string>;
  /** Regions where a new Machine fails to start (ends in state `failed`). */
  failStart: Set<string>;
  /** Regions left out of GET /v1/platform/regions (and refused on create), as when Fly retires one. */
  unavailable: Set<string>;
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
}

export interface FakeMachines {
  url: string;
  knobs: FakeMachinesKnobs;
  /** Every request answered, in order. */
  requests: RequestRecord[];
  /** Live and destroyed Machines per app (destroyed ones are hidden from list, like the API). */
  machines(app: string): FakeMachine[];
  /** Adds a started Machine directly, as if created earlier by someone else. */
  seed(app: string, m: { region: string; image: string; name?: string; state?: string }): FakeMachine;
  setRateLimit(limit: RateLimit): void;
  close(): Promise<void>;
}

export async function startFakeMachines(options: FakeMachinesOptions): Promise<FakeMachines> {
  const apps = new Map<string, Map<string, FakeMachine>>(options.apps.map((a) => [a, new Map()]));
  const knobs: FakeMachinesKnobs = { misplace: new Map(), failStart: new Set(), unavailable: new Set() };
  const requests: RequestRecord[] = [];
  const waiters = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();
  let limit = options.rateLimit ?? { perSecond: 1, burst: 3 };
  const getLimit = options.getRateLimit ?? { perSecond: 5, burst: 10 };
  const buckets = new RateBuckets((key) => (key.startsWith('get:') ? getLimit : limit));
  const startDelayMs = options.startDelayMs ?? 30;

  const setState = (m: FakeMachine, state: string): void => {
    m.state = state;
    m.updated_at = isoNow();
    m.events.unshift({
      type: state === 'started' ? 'start' : state,
      status: state,
      source: 'flyd',
      timestamp: Date.now(),
    });
    for (const wake of [...waiters]) wake();
  };
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const newMachine = (
    region: string,
    image: string,
    name: string,
    config: FakeMachine['config'],
  ): FakeMachine => {
    const now = isoNow();
    return {
      id: machineId(),
      name,
      state: 'created',
      region,
      instance_id: instanceId(),
      private_ip: privateIp(),
      config: { ...config, image },
      image_ref: imageRef(image),
      created_at: now,
      updated_at: now,
      events: [{ type: 'launch', status: 'created', source: 'user', timestamp: Date.now() }],
    };
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      send(res, req, 500, { error: err instanceof Error ? err.message : String(err) });
    });
  });

  const send = (
    res: ServerResponse,
    req: IncomingMessage,
    status: number,
    body: unknown,
    headers = {},
  ): void => {
    requests.push({ method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '', status });
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text === '' ? undefined : JSON.parse(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      send(res, req, 401, { error: 'You must be authenticated to view this.' });
      return;
    }
    if (method === 'GET' && url.pathname === '/v1/platform/regions') {
      const Regions = currentRegions()
        .filter((r) => !knobs.unavailable.has(r.code))
        .map((r) => ({
          code: r.code,
          name: r.name,
          latitude: r.lat,
          longitude: r.lon,
          gateway_available: r.gateway,
          requires_paid_plan: false,
        }));
      send(res, req, 200, { Regions, Nearest: 'iad' });
      return;
    }
    const m = url.pathname.match(/^\/v1\/apps\/([^/]+)\/machines(?:\/([^/]+)(?:\/(wait|stop|start))?)?$/);
    if (!m) {
      send(res, req, 404, { error: 'not found' });
      return;
    }
    const [, app = '', id, verb] = m;
    const machines = apps.get(decodeURIComponent(app));
    if (!machines) {
      send(res, req, 404, { error: `app ${app} not found` });
      return;
    }
    const action =
      verb ??
      (id === undefined ? (method === 'POST' ? 'create' : 'list') : method === 'DELETE' ? 'delete' : 'get');
    const wait = buckets.take(`${action}:${id ?? app}`);
    if (wait > 0) {
      send(res, req, 429, { error: 'rate limit exceeded' }, { 'retry-after': String(wait) });
      return;
    }

    if (id === undefined) {
      if (method === 'GET') {
        const region = url.searchParams.get('region');
        const list = [...machines.values()].filter(
          (x) => x.state !== 'destroyed' && (!region || x.region === region),
        );
        send(res, req, 200, list.map(withoutEvents));
        return;
      }
      if (method !== 'POST') {
        send(res, req, 405, { error: 'method not allowed' });
        return;
      }
      let body: unknown;
      try {
        body = await readJson(req);
      } catch {
        send(res, req, 400, { error: 'request body is not valid JSON' });
        return;
      }
      const asked = (body as { region?: unknown } | undefined)?.region;
      const problem =
        typeof asked === 'string' && knobs.unavailable.has(asked)
          ? `invalid region "${asked}"`
          : createBodyProblem(body);
      if (problem) {
        send(res, req, 400, { error: problem });
        return;
      }
      const b = body as {
        name?: string;
        region?: string;
        config: FakeMachine['config'];
        skip_launch?: boolean;
      };
      const region = knobs.misplace.get(b.region ?? 'iad') ?? b.region ?? 'iad';
      const machine = newMachine(
        region,
        b.config.image,
        b.name ?? `machine-${machineId().slice(0, 6)}`,
        b.config,
      );
      machines.set(machine.id, machine);
      if (!b.skip_launch) {
        const fails = knobs.failStart.has(b.region ?? 'iad');
        later(startDelayMs, () => {
          if (machine.state !== 'created') return;
          setState(machine, 'starting');
          later(startDelayMs, () => {
            if (machine.state !== 'starting') return;
            setState(machine, fails ? 'failed' : 'started');
            if (!fails) options.onStarted?.(decodeURIComponent(app), machine);
          });
        });
      }
      send(res, req, 200, withoutEvents(machine));
      return;
    }

    const machine = machines.get(id);
    if (!machine || machine.state === 'destroyed') {
      send(res, req, 404, { error: 'machine not found' });
      return;
    }
    if (verb === 'wait' && method === 'GET') {
      const state = url.searchParams.get('state') ?? 'started';
      const instance = url.searchParams.get('instance_id');
      if (instance && instance !== machine.instance_id) {
        send(res, req, 400, {
          error: `instance_id ${instance} does not match the machine's current instance`,
        });
        return;
      }
      const timeoutS = Number(url.searchParams.get('timeout') ?? '60');
      if (!Number.isFinite(timeoutS) || timeoutS < 1 || timeoutS > 60) {
        send(res, req, 400, { error: 'timeout must be between 1 and 60 seconds' });
        return;
      }
      const reached = await waitFor(machine, state, timeoutS * 1000, res);
      if (reached === 'closed') return;
      if (reached) send(res, req, 200, { ok: true });
      else
        send(res, req, 408, {
          error: `deadline_exceeded: machine did not reach state ${state} (${machine.state})`,
        });
      return;
    }
    if (verb === 'stop' && method === 'POST') {
      if (machine.state === 'started') {
        setState(machine, 'stopping');
        later(startDelayMs, () => setState(machine, 'stopped'));
      }
      send(res, req, 200, { ok: true });
      return;
    }
    if (verb === 'start' && method === 'POST') {
      const previous = machine.state;
      if (previous === 'stopped' || previous === 'failed') {
        setState(machine, 'starting');
        later(startDelayMs, () => setState(machine, 'started'));
      }
      send(res, req, 200, { previous_state: previous });
      return;
    }
    if (method === 'GET' && verb === undefined) {
      send(res, req, 200, withoutEvents(machine));
      return;
    }
    if (method === 'DELETE' && verb === undefined) {
      const force = url.searchParams.get('force') === 'true';
      if (
        !force &&
        machine.state !== 'stopped' &&
        machine.state !== 'created' &&
        machine.state !== 'failed'
      ) {
        send(res, req, 412, {
          error: `unable to destroy machine in state ${machine.state}; stop it first or use force=true`,
        });
        return;
      }
      setState(machine, 'destroyed');
      send(res, req, 200, { ok: true });
      return;
    }
    send(res, req, 405, { error: 'method not allowed' });
  }

  /** Resolves true when the Machine is in `state`, false at the timeout or when it can no longer get there. */
  function waitFor(
    machine: FakeMachine,
    state: string,
    timeoutMs: number,
    res: ServerResponse,
  ): Promise<boolean | 'closed'> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        if (machine.state === state) {
          done(true);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const onClose = (): void => done('closed');
      const done = (v: boolean | 'closed'): void => {
        clearTimeout(timer);
        waiters.delete(wake);
        res.off('close', onClose);
        resolve(v);
      };
      // A Machine that failed keeps the waiter until its timeout, like flyd: the client learns by 408.
      const wake = (): void => {
        check();
      };
      if (check()) return;
      waiters.add(wake);
      res.on('close', onClose);
    });
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    knobs,
    requests,
    machines: (app) => [...(apps.get(app)?.values() ?? [])],
    seed(app, s) {
      const machines = apps.get(app);
      if (!machines) throw new Error(`unknown app ${app}`);
      const machine = newMachine(s.region, s.image, s.name ?? `seed-${s.region}`, { image: s.image });
      machine.state = s.state ?? 'started';
      machines.set(machine.id, machine);
      return machine;
    },
    setRateLimit(next) {
      limit = next;
      buckets.setLimits((key) => (key.startsWith('get:') ? getLimit : limit));
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const wake of [...waiters]) wake();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function withoutEvents(m: FakeMachine): Omit<FakeMachine, 'events'> {
  const { events: _events, ...rest } = m;
  return rest;
}
