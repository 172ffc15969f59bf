import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { hostPort, type RegionCode, type TargetConfigInput } from '@flyprobe/shared';
import { labCapability } from './capability.ts';
import { CatchmentTable, type FlapSchedule, flapEdgeAt } from './catchment.ts';
import { cleanupSync, LAB_ROOT, runDir, sweepStaleLabs } from './cleanup.ts';
import { type DelayModelOptions, WanModel } from './delay-model.ts';
import type { LabZone, ZoneMachine } from './dns/answers.ts';
import { EDGE_CONFIG_ENV, type EdgeConfig, type EdgeState } from './edge/config.ts';
import { type ResetMatch, resetRuleScript } from './faults/rst.ts';
import { deleteNetns, ipBatch, nft, sh } from './netns.ts';
import { type EndpointPlan, edgeEndpoint, type LabPlan, machineEndpoint, planLab } from './plan.ts';
import { COLLECTOR_PORT, EDGE_PORTS, PROBE_ECHO_PORTS, PROBE_METRICS_PORT, TARGET_PORTS } from './ports.ts';
import { LabProcess } from './process.ts';
import { waitFor } from './wait.ts';
import { type EmulatorStats, WanEmulator } from './wan/control.ts';

export interface LabOptions {
  /** 4 to 18 current Fly regions, one namespace (plus an edge namespace) each. */
  regions: RegionCode[];
  /** Regions where the target app (an echo server) runs. */
  targetRegions: RegionCode[];
  /** Target app name, as in `<region>.<app>.internal`. Default `lab-target`. */
  app?: string;
  /** Delay model: fibre floor x inflation x scale, local and host delays, jitter. */
  delays?: DelayModelOptions;
  /** Explicit one-way delays `{ 'iad>fra': 40 }` replacing the model for that direction. */
  delayOverrides?: Record<string, number>;
  /** Region the collector namespace sits in (delays to it follow that region). Default: the first region. */
  collectorRegion?: RegionCode;
  /** Start the target echo servers (default true). */
  startTargets?: boolean;
  /** Start an edge per region (default true; needs the target running for health). */
  startEdges?: boolean;
  /** Edge health-check interval (default 1000 ms). */
  edgeHealthIntervalMs?: number;
  /** Subtracted from each emulated delay to offset the emulator's wake-up lateness (default 0.45 ms). */
  compensationMs?: number;
  /** The lab stops itself after this long, whatever the caller does (default 15 min). */
  maxDurationMs?: number;
  /** Niceness of every lab process (default -19): the lab keeps its timing on a busy machine. */
  nice?: number;
  /** Run the emulator with real-time round-robin scheduling (default true). */
  realtimeEmulator?: boolean;
  /** Serialize labs across processes with a lock file (default true): timings need the CPU to themselves. */
  exclusive?: boolean;
  /** How long to wait for another process's lab to finish (default 10 min). */
  lockTimeoutMs?: number;
  /** Probe target definition tweaks merged into the default target (intervals, paths, protocols). */
  target?: Partial<TargetConfigInput>;
  /** Progress messages. */
  log?: (line: string) => void;
}

export interface StartedProcess {
  process: LabProcess;
  region: RegionCode | null;
}

export interface ResetInjection {
  table: string;
  netns: string;
  remove(): Promise<void>;
}

/** Roles run with the CLI (`node --import tsx cli/src/main.ts <role>`). */
const CLI = 'cli/src/main.ts';
const EDGE_MAIN = 'test/lab/edge/main.ts';
const DNS_MAIN = 'test/lab/dns/main.ts';
const DEFAULT_NICE = -19;
const START_TIMEOUT_MS = 60_000;
const TARGET_NAME = 'web';
const PROBE_APP = 'lab-probes';
const IMAGE_REF = 'registry.fly.io/lab-target:deployment-lab';

const liveLabs = new Set<Lab>();
let exitHookInstalled = false;

function installExitHooks(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const lab of liveLabs) lab.cleanupNow();
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      void Promise.allSettled([...liveLabs].map((l) => l.stop())).finally(() => process.exit(130));
    });
  }
}

/**
 * A running lab. Create it with `startLab`; every method is safe to call while it runs; `stop()` removes
 * every namespace, device, rule and process it made (also called on SIGINT/SIGTERM and at exit).
 */
export class Lab {
  readonly adminToken = `lab-admin-${randomBytes(16).toString('hex')}`;
  readonly readToken = `lab-read-${randomBytes(16).toString('hex')}`;
  readonly targets = new Map<RegionCode, LabProcess>();
  readonly edges = new Map<RegionCode, LabProcess>();
  readonly probes = new Map<RegionCode, LabProcess>();
  collector: LabProcess | undefined;
  private readonly probeTokens = new Map<string, string>();
  private readonly flaps = new Map<RegionCode, NodeJS.Timeout>();
  private readonly resets: ResetInjection[] = [];
  private readonly machineIds = new Map<RegionCode, string>();
  private restarts = 0;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private deadline: NodeJS.Timeout | undefined;

  /** @internal use startLab */
  constructor(
    readonly plan: LabPlan,
    readonly wan: WanModel,
    readonly catchment: CatchmentTable,
    readonly dir: string,
    readonly options: LabOptions,
    private readonly emulator: WanEmulator,
    private readonly dns: LabProcess,
    private readonly lock: ChildProcess | undefined,
  ) {
    for (const r of plan.regions)
      this.machineIds.set(r, `${r}${plan.runId}${randomBytes(3).toString('hex')}`);
    this.deadline = setTimeout(
      () => {
        this.log(`lab ${plan.prefix}: maxDurationMs reached, stopping`);
        void this.stop();
      },
      options.maxDurationMs ?? 15 * 60_000,
    );
    this.deadline.unref();
  }

  log(line: string): void {
    this.options.log?.(line);
  }

  get regions(): RegionCode[] {
    return this.plan.regions;
  }

  get targetRegions(): RegionCode[] {
    return this.plan.targetRegions;
  }

  /** Anycast address of the target (IPv6 literal, no brackets). */
  get anycast(): string {
    return this.plan.anycast;
  }

  /** Flycast address of the target (`<app>.flycast`): only reachable from the lab's private network. */
  get flycast(): string {
    return this.plan.flycast;
  }

  /** Collector base URL, reachable from the lab's own process and from every namespace. */
  get collectorUrl(): string {
    return `http://${hostPort(this.collectorAddress, COLLECTOR_PORT)}`;
  }

  get collectorAddress(): string {
    return this.endpoint('col').address;
  }

  get dbPath(): string {
    return join(this.dir, 'collector.db');
  }

  endpoint(name: string): EndpointPlan {
    const e = this.plan.endpoints.find((x) => x.name === name);
    if (!e) throw new Error(`no lab endpoint "${name}"`);
    return e;
  }

  /** 6PN address of a region's machine namespace (where its probe and target run). */
  privateAddress(region: RegionCode): string {
    return machineEndpoint(this.plan, this.checkRegion(region)).address;
  }

  netnsOf(region: RegionCode, side: 'machine' | 'edge' = 'machine'): string {
    const e = side === 'machine' ? machineEndpoint(this.plan, region) : edgeEndpoint(this.plan, region);
    return e.netns as string;
  }

  machineId(region: RegionCode): string {
    return this.machineIds.get(this.checkRegion(region)) as string;
  }

  probeId(region: RegionCode): string {
    return `${region}-${this.machineId(region)}`;
  }

  private checkRegion(region: RegionCode): RegionCode {
    if (!this.plan.regions.includes(region)) throw new Error(`region: "${region}" is not a lab region`);
    return region;
  }

  /** The target definition the collector hands to probes. */
  targetConfig(): TargetConfigInput {
    return {
      name: TARGET_NAME,
      app: this.plan.app,
      host: this.plan.anycast,
      regions: this.plan.targetRegions,
      paths: ['anycast', 'pinned', 'private'],
      protocols: ['http', 'tcp', 'grpc'],
      http: { port: EDGE_PORTS.http, path: '/echo' },
      tcp: { port: EDGE_PORTS.tcp },
      grpc: { port: EDGE_PORTS.grpc, streams: 0 },
      privatePorts: { ...TARGET_PORTS },
      intervalMs: 1000,
      timeoutMs: 3000,
      ...this.options.target,
    };
  }

  // ---- processes -------------------------------------------------------------------------------------

  private spawn(
    name: string,
    netns: string | null,
    script: string,
    args: string[],
    env: Record<string, string>,
  ): LabProcess {
    if (this.stopped) throw new Error('the lab is stopped');
    const nice = this.options.nice ?? DEFAULT_NICE;
    return new LabProcess({ name, netns, script, args, env, logPath: join(this.dir, `${name}.log`), nice });
  }

  private zone(): LabZone {
    const out: ZoneMachine[] = [];
    for (const [region, p] of this.targets)
      if (p.running)
        out.push({
          app: this.plan.app,
          id: this.machineId(region),
          region,
          address: this.privateAddress(region),
        });
    for (const [region, p] of this.probes)
      if (p.running)
        out.push({
          app: PROBE_APP,
          id: this.machineId(region),
          region,
          address: this.privateAddress(region),
        });
    return { machines: out, flycast: [{ app: this.plan.app, address: this.plan.flycast }] };
  }

  private refreshZone(): void {
    this.dns.writeLine(JSON.stringify(this.zone()));
  }

  /** Starts (or restarts after a stop) the target echo server in a region: a new start time, the same image ref. */
  async startTarget(region: RegionCode, env: Record<string, string> = {}): Promise<LabProcess> {
    if (!this.plan.targetRegions.includes(region))
      throw new Error(`region: the target does not run in "${region}"`);
    if (this.targets.get(region)?.running) throw new Error(`the target in ${region} is already running`);
    const p = this.spawn(`echo-${region}-${this.restarts++}`, this.netnsOf(region), CLI, ['echo'], {
      FLY_REGION: region,
      FLY_MACHINE_ID: this.machineId(region),
      FLY_ALLOC_ID: this.machineId(region),
      FLY_APP_NAME: this.plan.app,
      FLY_PRIVATE_IP: this.privateAddress(region),
      FLY_IMAGE_REF: IMAGE_REF,
      FLYPROBE_BIND: '::',
      FLYPROBE_ECHO_HTTP_PORT: String(TARGET_PORTS.http),
      FLYPROBE_ECHO_TCP_PORT: String(TARGET_PORTS.tcp),
      FLYPROBE_ECHO_GRPC_PORT: String(TARGET_PORTS.grpc),
      ...env,
    });
    this.targets.set(region, p);
    await p.waitForLine(/serving/, START_TIMEOUT_MS);
    this.refreshZone();
    return p;
  }

  /** Target-restart fault: stops the echo process and starts it again. */
  async restartTarget(region: RegionCode): Promise<void> {
    await this.targets.get(region)?.stop('SIGTERM', 5000);
    await this.startTarget(region);
  }

  async stopTarget(region: RegionCode, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.targets.get(region)?.stop(signal, 5000);
    this.refreshZone();
  }

  /** Starts the edge (fly-proxy) of a region in its edge namespace. */
  async startEdge(region: RegionCode): Promise<LabProcess> {
    const config: EdgeConfig = {
      region,
      listen: this.plan.anycast,
      flycast: this.plan.flycast,
      ports: EDGE_PORTS,
      targets: this.plan.targetRegions.map((r) => ({ region: r, address: this.privateAddress(r) })),
      targetPorts: TARGET_PORTS,
      healthIntervalMs: this.options.edgeHealthIntervalMs ?? 1000,
      control: join(this.dir, `edge-${region}.sock`),
    };
    const p = this.spawn(`edge-${region}`, this.netnsOf(region, 'edge'), EDGE_MAIN, [], {
      [EDGE_CONFIG_ENV]: JSON.stringify(config),
    });
    this.edges.set(region, p);
    await p.waitForLine(/ready/, START_TIMEOUT_MS);
    return p;
  }

  /** Starts the collector in its namespace (same database across restarts) and waits for /healthz. */
  async startCollector(env: Record<string, string> = {}): Promise<LabProcess> {
    if (this.collector?.running) throw new Error('the collector is already running');
    const targetsFile = join(this.dir, 'targets.json');
    writeFileSync(targetsFile, JSON.stringify([this.targetConfig()]));
    const p = this.spawn(`collector-${this.restarts++}`, this.endpoint('col').netns, CLI, ['collector'], {
      FLYPROBE_DB: this.dbPath,
      FLYPROBE_HOST: '::',
      FLYPROBE_PORT: String(COLLECTOR_PORT),
      FLYPROBE_ADMIN_TOKEN: this.adminToken,
      FLYPROBE_READ_TOKEN: this.readToken,
      FLYPROBE_TARGETS_FILE: targetsFile,
      ...env,
    });
    this.collector = p;
    await p.waitForLine(/listening/, START_TIMEOUT_MS);
    await waitFor(
      'collector /healthz',
      async () => ((await fetch(`${this.collectorUrl}/healthz`)).ok ? true : undefined),
      START_TIMEOUT_MS,
    );
    return p;
  }

  /** Collector fault: `SIGTERM` stops it gracefully, `SIGKILL` kills it mid-flight. */
  async stopCollector(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.collector?.stop(signal, 10_000);
  }

  /**
   * A probe token bound to the region's probe (probe id, app, region), as `flyprobe deploy` mints one per
   * Machine; created through the collector's admin API once per probe id.
   */
  async probeToken(region: RegionCode): Promise<string> {
    const probeId = this.probeId(region);
    const known = this.probeTokens.get(probeId);
    if (known) return known;
    const res = await fetch(`${this.collectorUrl}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'probe', probeId, app: PROBE_APP, region, name: `lab ${probeId}` }),
    });
    const body = (await res.json()) as { secret?: unknown };
    if (!res.ok || typeof body.secret !== 'string')
      throw new Error(`POST /v1/tokens answered ${res.status}: ${JSON.stringify(body)}`);
    this.probeTokens.set(probeId, body.secret);
    return body.secret;
  }

  /** Starts the probe of a region (the collector must be up to mint its token) and waits until it runs. */
  async startProbe(region: RegionCode, env: Record<string, string> = {}): Promise<LabProcess> {
    this.checkRegion(region);
    if (this.probes.get(region)?.running) throw new Error(`the probe in ${region} is already running`);
    const probeId = this.probeId(region);
    const address = this.privateAddress(region);
    const spool = join(this.dir, `spool-${region}`);
    mkdirSync(spool, { recursive: true });
    const p = this.spawn(`probe-${region}-${this.restarts++}`, this.netnsOf(region), CLI, ['probe'], {
      FLY_REGION: region,
      FLY_MACHINE_ID: this.machineId(region),
      FLY_ALLOC_ID: this.machineId(region),
      FLY_APP_NAME: PROBE_APP,
      FLY_PRIVATE_IP: address,
      FLY_IMAGE_REF: 'registry.fly.io/lab-probes:deployment-lab',
      FLYPROBE_COLLECTOR_URL: this.collectorUrl,
      FLYPROBE_TOKEN: await this.probeToken(region),
      FLYPROBE_PROBE_ID: probeId,
      FLYPROBE_RESOLVER: this.plan.dnsAddress,
      FLYPROBE_SPOOL_DIR: spool,
      FLYPROBE_BIND: '::',
      FLYPROBE_ECHO_HTTP_PORT: String(PROBE_ECHO_PORTS.http),
      FLYPROBE_ECHO_TCP_PORT: String(PROBE_ECHO_PORTS.tcp),
      FLYPROBE_ECHO_GRPC_PORT: String(PROBE_ECHO_PORTS.grpc),
      FLYPROBE_ECHO_ADDRESS: hostPort(address, PROBE_ECHO_PORTS.http),
      FLYPROBE_METRICS_PORT: String(PROBE_METRICS_PORT),
      ...env,
    });
    this.probes.set(region, p);
    await p.waitForLine(/running/, START_TIMEOUT_MS);
    this.refreshZone();
    return p;
  }

  /** Stops a region's probe; SIGTERM lets it flush its buffer to the collector first. */
  async stopProbe(region: RegionCode, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000) {
    const p = this.probes.get(region);
    const result = p ? await p.stop(signal, graceMs) : undefined;
    this.refreshZone();
    return result;
  }

  /** GET on the collector API with the read token (or `token`); throws with the status and body unless 2xx. */
  async api<T>(path: string, token: string = this.readToken): Promise<T> {
    const res = await fetch(`${this.collectorUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  }

  /** Runs a command inside a region's namespace (e.g. `curl`), returning stdout. */
  exec(
    region: RegionCode,
    cmd: string,
    args: string[],
    side: 'machine' | 'edge' = 'machine',
  ): Promise<string> {
    return sh('ip', ['netns', 'exec', this.netnsOf(this.checkRegion(region), side), cmd, ...args]);
  }

  // ---- faults ----------------------------------------------------------------------------------------

  private async pushPairs(regions: RegionCode[]): Promise<void> {
    const touched = this.plan.endpoints.filter((e) => e.region !== null && regions.includes(e.region));
    const pairs = this.wan
      .emulatorPairs(this.plan.endpoints)
      .filter((p) => touched.some((e) => e.name === p.src || e.name === p.dst));
    await this.emulator.setPairs(pairs);
  }

  /** Extra one-way delay from `src` to `dst` only (asymmetry); 0 removes it. */
  async addDelay(src: RegionCode, dst: RegionCode, extraMs: number): Promise<void> {
    this.wan.setExtraDelay(src, dst, extraMs);
    await this.pushPairs([src, dst]);
  }

  /** Loss probability from `src` to `dst` (0..1); each direction separately. */
  async setLoss(src: RegionCode, dst: RegionCode, probability: number): Promise<void> {
    this.wan.setLoss(src, dst, probability);
    await this.pushPairs([src, dst]);
  }

  private async pushCatchment(): Promise<void> {
    const table: Record<string, string> = {};
    for (const [source, edge] of Object.entries(this.catchment.entries())) {
      table[source] = `${edge}-e`;
      if (source === this.plan.collectorRegion) table.col = `${edge}-e`;
    }
    await this.emulator.setCatchment(table);
  }

  /** Catchment misroute: `source`'s anycast traffic lands at `edge`'s edge. */
  async misrouteCatchment(source: RegionCode, edge: RegionCode): Promise<void> {
    this.stopFlap(source);
    this.catchment.set(source, edge);
    await this.pushCatchment();
  }

  async resetCatchment(source: RegionCode): Promise<void> {
    this.stopFlap(source);
    this.catchment.reset(source);
    await this.pushCatchment();
  }

  /** Flap: `source`'s catchment cycles through `edges`, each held `periodMs`, until `stopFlap`/`resetCatchment`. */
  async flapCatchment(source: RegionCode, schedule: FlapSchedule): Promise<void> {
    this.stopFlap(source);
    const started = Date.now();
    const apply = async () => {
      if (this.catchment.set(source, flapEdgeAt(schedule, Date.now() - started))) await this.pushCatchment();
    };
    await apply();
    const timer = setInterval(
      () => void apply().catch((e: Error) => this.log(`flap ${source}: ${e.message}`)),
      Math.max(50, schedule.periodMs / 4),
    );
    this.flaps.set(source, timer);
  }

  stopFlap(source: RegionCode): void {
    const t = this.flaps.get(source);
    if (t) clearInterval(t);
    this.flaps.delete(source);
  }

  /** Proxy misroute: `edge` serves requests without routing headers from `served` (null: back to nearest). */
  async misrouteProxy(edge: RegionCode, served: RegionCode | null): Promise<EdgeState> {
    return (await this.edgeControl(edge, 'PUT', '/override', { region: served })) as EdgeState;
  }

  async edgeState(edge: RegionCode): Promise<EdgeState> {
    return (await this.edgeControl(edge, 'GET', '/state')) as EdgeState;
  }

  private edgeControl(edge: RegionCode, method: string, path: string, body?: unknown): Promise<unknown> {
    this.checkRegion(edge);
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: join(this.dir, `edge-${edge}.sock`), method, path }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d.toString();
        });
        res.on('end', () => {
          const parsed = JSON.parse(text) as { error?: string };
          if (res.statusCode === 200) resolve(parsed);
          else reject(new Error(`edge ${edge}: ${parsed.error ?? res.statusCode}`));
        });
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  /** Blackholes a region's machine namespace (its probe and target): every packet to or from it is dropped. */
  async blackhole(region: RegionCode, on = true): Promise<void> {
    await this.emulator.setBlackhole(this.checkRegion(region), on);
  }

  /** RST injection: TCP flows matching `match` in a region's namespace get reset (nftables). */
  async injectResets(
    region: RegionCode,
    match: ResetMatch,
    side: 'machine' | 'edge' = 'machine',
  ): Promise<ResetInjection> {
    const netns = this.netnsOf(this.checkRegion(region), side);
    const table = `flyprobe_rst_${this.resets.length}`;
    await nft(netns, resetRuleScript(table, match));
    const injection: ResetInjection = {
      table,
      netns,
      remove: async () => {
        const i = this.resets.indexOf(injection);
        if (i < 0) return;
        this.resets.splice(i, 1);
        await nft(netns, `delete table inet ${table}\n`);
      },
    };
    this.resets.push(injection);
    return injection;
  }

  async emulatorStats(): Promise<EmulatorStats> {
    return this.emulator.stats();
  }

  // ---- teardown --------------------------------------------------------------------------------------

  private allProcesses(): LabProcess[] {
    return [
      ...this.probes.values(),
      ...this.edges.values(),
      ...this.targets.values(),
      ...(this.collector ? [this.collector] : []),
    ];
  }

  /** Stops every process (probes first, so they can flush), the emulator and DNS; deletes every namespace. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.teardown();
    return this.stopping;
  }

  private async teardown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.deadline);
    for (const t of this.flaps.values()) clearInterval(t);
    this.flaps.clear();
    await Promise.allSettled([...this.probes.values()].map((p) => p.stop('SIGTERM', 5000)));
    await Promise.allSettled(this.allProcesses().map((p) => p.stop('SIGTERM', 3000)));
    await this.dns.stop('SIGTERM', 3000);
    await this.emulator.stop().catch(() => undefined);
    await Promise.allSettled(
      this.plan.endpoints.filter((e) => e.netns).map((e) => deleteNetns(e.netns as string)),
    );
    this.lock?.stdin?.end();
    liveLabs.delete(this);
    if (!process.env.FLYPROBE_LAB_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Synchronous last resort (process exit): kill processes and delete namespaces. */
  cleanupNow(): void {
    const pids = [...this.allProcesses().map((p) => p.pid), this.dns.pid, this.emulator.child.pid].filter(
      (p): p is number => p !== undefined,
    );
    cleanupSync(
      pids,
      this.plan.endpoints.filter((e) => e.netns).map((e) => e.netns as string),
    );
  }
}

/** Waits for the cross-process lab lock; the lock is held by a `flock` child and freed when its stdin closes. */
async function acquireLock(timeoutMs: number): Promise<ChildProcess> {
  mkdirSync(LAB_ROOT, { recursive: true });
  const child = spawn(
    'flock',
    [
      '-x',
      '-w',
      String(Math.ceil(timeoutMs / 1000)),
      join(LAB_ROOT, 'lab.lock'),
      '-c',
      'echo locked; exec cat >/dev/null',
    ],
    {
      stdio: ['pipe', 'pipe', 'ignore'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', () => resolve());
    child.once('exit', () => reject(new Error(`another lab held ${LAB_ROOT}/lab.lock for ${timeoutMs} ms`)));
  });
  return child;
}

/** The org's private network (each region's Machines and the collector) reaches Flycast at its own region's edge. */
function flycastEdges(plan: LabPlan): Record<string, string> {
  const edges: Record<string, string> = { col: `${plan.collectorRegion}-e` };
  for (const r of plan.regions) edges[r] = `${r}-e`;
  return edges;
}

/** Builds a lab: namespaces, the WAN emulator, DNS, targets and edges. Probes and collector start on request. */
export async function startLab(options: LabOptions): Promise<Lab> {
  const capability = labCapability();
  if (!capability.ok) throw new Error(`cannot build the network lab: ${capability.reason}`);
  const plan = planLab({
    regions: options.regions,
    targetRegions: options.targetRegions,
    app: options.app,
    collectorRegion: options.collectorRegion,
  });
  const wan = new WanModel(plan.regions, options.delays, options.delayOverrides);
  const catchment = new CatchmentTable(plan.regions);
  const log = options.log ?? (() => undefined);
  await sweepStaleLabs();
  const lock =
    options.exclusive === false ? undefined : await acquireLock(options.lockTimeoutMs ?? 10 * 60_000);
  const dir = runDir(plan.runId);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  installExitHooks();
  const namespaces = plan.endpoints.filter((e) => e.netns).map((e) => e.netns as string);
  let emulator: WanEmulator | undefined;
  let dns: LabProcess | undefined;
  const nice = options.nice ?? DEFAULT_NICE;
  let lab: Lab | undefined;
  try {
    log(`lab ${plan.prefix}: ${namespaces.length} namespaces for ${plan.regions.join(', ')}`);
    await ipBatch(
      null,
      namespaces.map((ns) => `netns add ${ns}`),
    );
    const catchmentTable: Record<string, string> = {};
    for (const [s, e] of Object.entries(catchment.entries())) catchmentTable[s] = `${e}-e`;
    catchmentTable.col = `${catchment.edgeFor(plan.collectorRegion)}-e`;
    catchmentTable.host = `${catchment.edgeFor(plan.collectorRegion)}-e`;
    emulator = await WanEmulator.start(
      {
        endpoints: plan.endpoints.map((e) => ({
          name: e.name,
          ifname: e.ifname,
          addresses: [e.address, ...e.extraAddresses],
        })),
        anycast: [plan.anycast],
        pairs: wan.emulatorPairs(plan.endpoints),
        catchment: catchmentTable,
        flycast: [plan.flycast],
        flycastEdges: flycastEdges(plan),
        compensationMs: options.compensationMs ?? 0.45,
      },
      dir,
      options.realtimeEmulator ?? true,
    );
    await ipBatch(
      null,
      plan.endpoints.filter((e) => e.netns).map((e) => `link set dev ${e.ifname} netns ${e.netns}`),
    );
    await Promise.all(
      plan.endpoints.map((e) =>
        ipBatch(e.netns, [
          ...(e.netns ? ['link set dev lo up'] : []),
          ...[e.address, ...e.extraAddresses].map((a) => `addr add ${a}/128 dev ${e.ifname} nodad`),
          ...(e.kind === 'edge'
            ? [`addr add ${plan.anycast}/128 dev lo nodad`, `addr add ${plan.flycast}/128 dev lo nodad`]
            : []),
          `link set dev ${e.ifname} up`,
          `route add ${plan.network} dev ${e.ifname}`,
        ]),
      ),
    );
    dns = new LabProcess({
      name: 'dns',
      netns: null,
      script: DNS_MAIN,
      args: [plan.dnsAddress],
      env: {},
      logPath: join(dir, 'dns.log'),
      nice,
      stdin: true,
    });
    await dns.waitForLine(/dns ready/, START_TIMEOUT_MS);
    lab = new Lab(plan, wan, catchment, dir, options, emulator, dns, lock);
    liveLabs.add(lab);
    const built = lab;
    try {
      if (options.startTargets ?? true)
        await Promise.all(plan.targetRegions.map((r) => built.startTarget(r)));
      if (options.startEdges ?? true) {
        await Promise.all(plan.regions.map((r) => built.startEdge(r)));
        // Edges route only to targets their health check has seen up.
        if (options.startTargets ?? true)
          await waitFor(
            'edges to see every target healthy',
            async () => {
              for (const r of plan.regions)
                if ((await built.edgeState(r)).healthy.length !== plan.targetRegions.length) return undefined;
              return true;
            },
            START_TIMEOUT_MS,
            200,
          );
      }
    } catch (err) {
      await built.stop();
      throw err;
    }
    log(`lab ${plan.prefix}: ready`);
    return built;
  } catch (err) {
    if (!lab) {
      await dns?.stop('SIGTERM', 3000);
      await emulator?.stop().catch(() => undefined);
      await Promise.allSettled(namespaces.map((ns) => deleteNetns(ns)));
      lock?.stdin?.end();
      rmSync(dir, { recursive: true, force: true });
    }
    throw err;
  }
}
