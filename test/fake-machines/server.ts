import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { currentRegions } from '@flyprobe/shared';
import { Leases } from './leases.ts';
import {
  type FakeCheckStatus,
  type FakeConfig,
  type FakeMachine,
  imageRef,
  isoNow,
  machineId,
  privateIp,
  publicView,
  ulid,
} from './machine-shapes.ts';
import { RateBuckets, type RateLimit } from './rate-buckets.ts';
import { createBodyProblem, updateBodyProblem } from './validate.ts';

/**
 * A fake of Fly's Machines API (https://api.machines.dev) on loopback, for tests of `flyprobe deploy`:
 * list (region, include_deleted and metadata.<key> filters) / create / get / update / wait / stop /
 * start / restart / delete Machines, leases (acquire, show, release; mutations of a leased Machine need
 * the nonce), GET /v1/platform/regions. Bearer auth for OAuth tokens, `FlyV1` for macaroons, the
 * documented JSON shapes (events, checks, host_status, incomplete_config), errors as `{error}`,
 * per-action rate limits answering 429 with Retry-After, and knobs for what Fly does to Machines.
 */
export interface FakeMachinesOptions {
  /**
   * The one token accepted. A macaroon (`fm1r_`, `fm1a_`, `fm2_`) must come as `FlyV1 <token>`, as fly-go
   * sends it, anything else as Bearer; stricter than Fly may be, so that the FlyV1 path is tested.
   */
  token: string;
  /** Who the token belongs to: the `owner` of leases it takes. */
  owner?: string;
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
  /** Answer list calls as an API without the metadata filter would: every Machine. */
  ignoreMetadataFilter: boolean;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  status: number;
  /** The fly-machine-lease-nonce header, when sent. */
  nonce?: string;
}

export interface SeedMachine {
  region: string;
  image: string;
  name?: string;
  state?: string;
  metadata?: Record<string, string>;
  env?: Record<string, string>;
  config?: Partial<FakeConfig>;
  host_status?: FakeMachine['host_status'];
  checks?: FakeCheckStatus[];
}

export interface FakeMachines {
  url: string;
  knobs: FakeMachinesKnobs;
  /** Every request answered, in order. */
  requests: RequestRecord[];
  /** Live and destroyed Machines per app, as stored (mutable: tests set checks and host_status). */
  machines(app: string): FakeMachine[];
  /** Adds a Machine directly, as if created earlier by someone else (fly deploy, a person, flyprobe). */
  seed(app: string, m: SeedMachine): FakeMachine;
  /** Takes a lease on a Machine as another client would; returns its nonce. */
  holdLease(machineId: string, owner: string, ttlSeconds?: number): string;
  /** The unexpired lease on a Machine, if any. */
  lease(machineId: string): { nonce: string; owner: string; expires_at: number } | undefined;
  setRateLimit(limit: RateLimit): void;
  close(): Promise<void>;
}

const MUTATING_VERBS = new Set(['update', 'stop', 'start', 'restart', 'delete']);

export async function startFakeMachines(options: FakeMachinesOptions): Promise<FakeMachines> {
  const apps = new Map<string, Map<string, FakeMachine>>(options.apps.map((a) => [a, new Map()]));
  const knobs: FakeMachinesKnobs = {
    misplace: new Map(),
    failStart: new Set(),
    unavailable: new Set(),
    ignoreMetadataFilter: false,
  };
  const requests: RequestRecord[] = [];
  const waiters = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();
  const leases = new Leases();
  const owner = options.owner ?? 'operator@example.com';
  let limit = options.rateLimit ?? { perSecond: 1, burst: 3 };
  const getLimit = options.getRateLimit ?? { perSecond: 5, burst: 10 };
  const buckets = new RateBuckets((key) => (key.startsWith('get:') ? getLimit : limit));
  const startDelayMs = options.startDelayMs ?? 30;
  const expectedAuth = /^(fm1r|fm1a|fm2)_/.test(options.token)
    ? `FlyV1 ${options.token}`
    : `Bearer ${options.token}`;

  const event = (m: FakeMachine, type: string, status: string, source: string): void => {
    m.events.unshift({ id: ulid(), type, status, source, timestamp: Date.now() });
  };
  const setState = (m: FakeMachine, state: string): void => {
    m.state = state;
    m.updated_at = isoNow();
    event(m, state === 'started' ? 'start' : state === 'stopped' ? 'exit' : state, state, 'flyd');
    for (const wake of [...waiters]) wake();
  };
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  /** created/stopped -> starting -> started (or failed), as flyd walks a launch, start or update. */
  const boot = (app: string, machine: FakeMachine, fails: boolean): void => {
    later(startDelayMs, () => {
      setState(machine, 'starting');
      later(startDelayMs, () => {
        if (machine.state !== 'starting') return;
        setState(machine, fails ? 'failed' : 'started');
        if (!fails) {
          machine.checks = machine.checks.map((c) => ({
            ...c,
            status: 'passing',
            output: 'OK',
            updated_at: isoNow(),
          }));
          options.onStarted?.(app, machine);
        }
      });
    });
  };

  const newMachine = (region: string, name: string, config: FakeConfig): FakeMachine => {
    const now = isoNow();
    return {
      id: machineId(),
      name,
      state: 'created',
      region,
      instance_id: ulid(),
      version: ulid(),
      private_ip: privateIp(),
      config: structuredClone(config),
      image_ref: imageRef(config.image),
      created_at: now,
      updated_at: now,
      events: [{ id: ulid(), type: 'launch', status: 'created', source: 'user', timestamp: Date.now() }],
      checks: Object.keys((config.checks as Record<string, unknown> | undefined) ?? {}).map((name) => ({
        name,
        status: 'warning',
        output: 'waiting for status update',
        updated_at: now,
      })),
      host_status: 'ok',
      cordoned: false,
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
    const [path = '', query = ''] = (req.url ?? '').split('?');
    const nonce = req.headers['fly-machine-lease-nonce'];
    requests.push({
      method: req.method ?? '',
      path,
      query,
      status,
      ...(typeof nonce === 'string' ? { nonce } : {}),
    });
    if (body === null) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  async function readJson(req: IncomingMessage): Promise<{ ok: true; body: unknown } | { ok: false }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      return { ok: true, body: text === '' ? undefined : JSON.parse(text) };
    } catch {
      return { ok: false };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    if (req.headers.authorization !== expectedAuth) {
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
    const m = url.pathname.match(
      /^\/v1\/apps\/([^/]+)\/machines(?:\/([^/]+)(?:\/(wait|stop|start|restart|lease|events))?)?$/,
    );
    if (!m) {
      send(res, req, 404, { error: 'not found' });
      return;
    }
    const [, rawApp = '', id, sub] = m;
    const app = decodeURIComponent(rawApp);
    const machines = apps.get(app);
    if (!machines) {
      send(res, req, 404, { error: `app ${app} not found` });
      return;
    }
    const action =
      sub === 'lease'
        ? method === 'GET'
          ? 'get:lease'
          : 'lease'
        : (sub ??
          (id === undefined
            ? method === 'POST'
              ? 'create'
              : 'list'
            : method === 'DELETE'
              ? 'delete'
              : method === 'POST'
                ? 'update'
                : 'get'));
    const wait = buckets.take(`${action}:${id ?? app}`);
    if (wait > 0) {
      send(res, req, 429, { error: 'rate limit exceeded' }, { 'retry-after': String(wait) });
      return;
    }

    if (id === undefined) {
      if (method === 'GET') return list(req, res, url, machines);
      if (method === 'POST') return create(req, res, app, machines);
      send(res, req, 405, { error: 'method not allowed' });
      return;
    }

    const machine = machines.get(id);
    if (!machine || machine.state === 'destroyed') {
      send(res, req, 404, { error: 'machine not found' });
      return;
    }
    const nonceHeader = req.headers['fly-machine-lease-nonce'];
    const nonce = typeof nonceHeader === 'string' ? nonceHeader : undefined;
    if (sub === 'lease') return lease(req, res, url, method, machine, nonce);
    if (MUTATING_VERBS.has(action) && !leases.permits(machine.id, nonce)) {
      const held = leases.current(machine.id);
      send(res, req, 412, {
        error: `machine ${machine.id} is leased by ${held?.owner}; the ${nonce ? 'given' : 'missing'} fly-machine-lease-nonce does not match the lease`,
      });
      return;
    }
    if (sub === 'wait' && method === 'GET') return waitRoute(req, res, url, machine);
    if (sub === 'events' && method === 'GET') {
      send(res, req, 200, machine.events);
      return;
    }
    if (sub === 'stop' && method === 'POST') {
      if (machine.state === 'started') {
        setState(machine, 'stopping');
        later(startDelayMs, () => setState(machine, 'stopped'));
      }
      send(res, req, 200, { ok: true });
      return;
    }
    if ((sub === 'start' || sub === 'restart') && method === 'POST') {
      const previous = machine.state;
      if (sub === 'start' && previous !== 'stopped' && previous !== 'suspended') {
        send(res, req, 412, { error: `unable to start machine from current state: '${previous}'` });
        return;
      }
      if (sub === 'restart' && previous !== 'started') {
        send(res, req, 412, { error: `unable to restart machine from current state: '${previous}'` });
        return;
      }
      if (sub === 'restart') setState(machine, 'stopping');
      boot(app, machine, false);
      send(res, req, 200, sub === 'start' ? { previous_state: previous } : { ok: true });
      return;
    }
    if (method === 'GET' && sub === undefined) {
      send(res, req, 200, publicView(machine));
      return;
    }
    if (method === 'POST' && sub === undefined) return update(req, res, app, machine);
    if (method === 'DELETE' && sub === undefined) {
      const force = url.searchParams.get('force') === 'true';
      if (!force && !['stopped', 'created', 'failed'].includes(machine.state)) {
        send(res, req, 412, {
          error: `unable to destroy machine in state ${machine.state}; stop it first or use force=true`,
        });
        return;
      }
      setState(machine, 'destroyed');
      leases.release(machine.id);
      send(res, req, 200, { ok: true });
      return;
    }
    send(res, req, 405, { error: 'method not allowed' });
  }

  function list(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    machines: Map<string, FakeMachine>,
  ): void {
    const region = url.searchParams.get('region');
    const includeDeleted = url.searchParams.get('include_deleted') === 'true';
    const metadata = [...url.searchParams.entries()]
      .filter(([k]) => k.startsWith('metadata.'))
      .map(([k, v]) => [k.slice('metadata.'.length), v] as const);
    const result = [...machines.values()].filter(
      (x) =>
        (includeDeleted || x.state !== 'destroyed') &&
        (!region || x.region === region) &&
        (knobs.ignoreMetadataFilter || metadata.every(([k, v]) => x.config?.metadata?.[k] === v)),
    );
    send(res, req, 200, result.map(publicView));
  }

  async function create(
    req: IncomingMessage,
    res: ServerResponse,
    app: string,
    machines: Map<string, FakeMachine>,
  ) {
    const read = await readJson(req);
    if (!read.ok) {
      send(res, req, 400, { error: 'request body is not valid JSON' });
      return;
    }
    const body = read.body;
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
      config: FakeConfig;
      skip_launch?: boolean;
      lease_ttl?: number;
    };
    const region = knobs.misplace.get(b.region ?? 'iad') ?? b.region ?? 'iad';
    const machine = newMachine(region, b.name ?? `machine-${machineId().slice(0, 6)}`, b.config);
    machines.set(machine.id, machine);
    if (!b.skip_launch) boot(app, machine, knobs.failStart.has(b.region ?? 'iad'));
    const answer = publicView(machine);
    if (b.lease_ttl) {
      const taken = leases.acquire(machine.id, {
        ttlSeconds: b.lease_ttl,
        owner,
        description: '',
        version: machine.version,
      });
      if (taken.ok) answer.nonce = taken.lease.nonce;
    }
    send(res, req, 200, answer);
  }

  async function update(req: IncomingMessage, res: ServerResponse, app: string, machine: FakeMachine) {
    const read = await readJson(req);
    if (!read.ok) {
      send(res, req, 400, { error: 'request body is not valid JSON' });
      return;
    }
    const problem = updateBodyProblem(read.body);
    if (problem) {
      send(res, req, 400, { error: problem });
      return;
    }
    const b = read.body as { config: FakeConfig; region?: string; current_version?: string };
    if (b.region && b.region !== machine.region) {
      send(res, req, 400, { error: `region cannot be changed (machine is in ${machine.region})` });
      return;
    }
    if (b.current_version && b.current_version !== machine.version) {
      send(res, req, 412, {
        error: `current_version ${b.current_version} does not match ${machine.version}`,
      });
      return;
    }
    if (machine.host_status !== 'ok') {
      send(res, req, 412, { error: `machine host is ${machine.host_status}; cannot update` });
      return;
    }
    machine.config = structuredClone(b.config);
    machine.image_ref = imageRef(b.config.image);
    machine.instance_id = ulid();
    machine.version = machine.instance_id;
    event(machine, 'update', 'replacing', 'user');
    setState(machine, 'replacing');
    boot(app, machine, false);
    send(res, req, 200, publicView(machine));
  }

  async function lease(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    method: string,
    machine: FakeMachine,
    nonce: string | undefined,
  ) {
    if (method === 'GET') {
      const held = leases.current(machine.id);
      if (!held) send(res, req, 404, { error: 'lease not found' });
      else send(res, req, 200, { status: 'success', data: held });
      return;
    }
    if (method === 'DELETE') {
      const held = leases.current(machine.id);
      if (!held) send(res, req, 404, { error: 'lease not found' });
      else if (held.nonce !== nonce) send(res, req, 412, { error: 'lease nonce does not match' });
      else {
        leases.release(machine.id);
        send(res, req, 200, { status: 'success' });
      }
      return;
    }
    if (method !== 'POST') {
      send(res, req, 405, { error: 'method not allowed' });
      return;
    }
    const read = await readJson(req);
    const body =
      read.ok && typeof read.body === 'object' && read.body ? (read.body as Record<string, unknown>) : {};
    const ttl = Number(url.searchParams.get('ttl') ?? body.ttl ?? 30);
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 3600) {
      send(res, req, 400, { error: 'ttl must be an integer number of seconds from 1 to 3600' });
      return;
    }
    const taken = leases.acquire(machine.id, {
      ttlSeconds: ttl,
      owner,
      description: typeof body.description === 'string' ? body.description : '',
      version: machine.version,
      nonce,
    });
    if (!taken.ok) {
      send(res, req, 409, { error: `lease currently held by ${taken.held.owner}` });
      return;
    }
    send(res, req, 200, { status: 'success', data: taken.lease });
  }

  async function waitRoute(req: IncomingMessage, res: ServerResponse, url: URL, machine: FakeMachine) {
    const state = url.searchParams.get('state') ?? 'started';
    const instance = url.searchParams.get('instance_id');
    if (instance && instance !== machine.instance_id) {
      send(res, req, 400, { error: `instance_id ${instance} does not match the machine's current instance` });
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
  }

  /** Resolves true when the Machine is in `state`, false at the timeout. */
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
      const config: FakeConfig = {
        ...s.config,
        image: s.image,
        ...(s.env ? { env: s.env } : {}),
        ...(s.metadata ? { metadata: s.metadata } : {}),
      };
      const machine = newMachine(s.region, s.name ?? `seed-${s.region}`, config);
      machine.state = s.state ?? 'started';
      machine.host_status = s.host_status ?? 'ok';
      machine.checks = s.checks ?? machine.checks.map((c) => ({ ...c, status: 'passing', output: 'OK' }));
      machines.set(machine.id, machine);
      return machine;
    },
    holdLease(id, leaseOwner, ttlSeconds = 60) {
      const taken = leases.acquire(id, {
        ttlSeconds,
        owner: leaseOwner,
        description: 'held by a test',
        version: '',
      });
      if (!taken.ok) throw new Error(`machine ${id} is already leased`);
      return taken.lease.nonce;
    },
    lease: (id) => leases.current(id),
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
