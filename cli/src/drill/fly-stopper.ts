import type { RegionCode } from '@flyprobe/shared';
import { CliError } from '../errors.ts';
import type { RegionStopper } from './types.ts';

/** The Machines API calls the drill makes (cli/src/fly's MachinesClient provides them). */
export interface MachinesControl {
  list(app: string): Promise<Array<{ id: string; region?: string; state?: string }>>;
  acquireLease(app: string, id: string, ttlSeconds: number, description: string): Promise<string>;
  releaseLease(app: string, id: string, nonce: string): Promise<void>;
  stop(app: string, id: string, nonce: string): Promise<void>;
  start(app: string, id: string, nonce: string): Promise<void>;
  waitForState(
    app: string,
    id: string,
    opts: { state: 'started' | 'stopped'; timeoutSeconds: number },
  ): Promise<boolean>;
}

const ACTIVE = new Set(['started', 'starting', 'created']);

/** The Machines the drill stops: the app's running Machines in `region`; refuses when they are all it has, unless forced. */
export function machinesToStop(
  machines: ReadonlyArray<{ id: string; region?: string; state?: string }>,
  region: RegionCode,
  force: boolean,
): string[] {
  const active = machines.filter((m) => ACTIVE.has(m.state ?? ''));
  const here = active.filter((m) => m.region === region).map((m) => m.id);
  if (here.length === 0) throw new CliError(`--region: the app has no running Machine in ${region}`);
  if (here.length === active.length && !force)
    throw new CliError(
      `--region: ${region} holds all of the app's running Machines; stopping them takes the app down (use --force to drill anyway)`,
    );
  return here;
}

/** Stops and starts the app's Machines in one region through the Machines API, under a lease on each. */
export class FlyRegionStopper implements RegionStopper {
  private ids: string[] | undefined;
  private readonly leases = new Map<string, string>();

  constructor(
    private readonly api: MachinesControl,
    private readonly opts: {
      app: string;
      region: RegionCode;
      force: boolean;
      leaseSeconds: number;
      waitSeconds: number;
    },
  ) {}

  private async machines(): Promise<string[]> {
    this.ids ??= machinesToStop(await this.api.list(this.opts.app), this.opts.region, this.opts.force);
    return this.ids;
  }

  async describe(): Promise<string> {
    const ids = await this.machines();
    return `${ids.length} Machine(s) of ${this.opts.app}: ${ids.join(', ')}`;
  }

  async stop(): Promise<void> {
    const { app, leaseSeconds, waitSeconds } = this.opts;
    for (const id of await this.machines())
      this.leases.set(id, await this.api.acquireLease(app, id, leaseSeconds, 'flyprobe drill'));
    for (const [id, nonce] of this.leases) await this.api.stop(app, id, nonce);
    for (const id of this.leases.keys())
      if (!(await this.api.waitForState(app, id, { state: 'stopped', timeoutSeconds: waitSeconds })))
        throw new CliError(`Machine ${id} did not reach "stopped" within ${waitSeconds} s`);
  }

  async start(): Promise<void> {
    const { app, waitSeconds } = this.opts;
    for (const [id, nonce] of this.leases) await this.api.start(app, id, nonce);
    for (const id of this.leases.keys())
      if (!(await this.api.waitForState(app, id, { state: 'started', timeoutSeconds: waitSeconds })))
        throw new CliError(`Machine ${id} did not reach "started" within ${waitSeconds} s`);
  }

  async release(): Promise<void> {
    for (const [id, nonce] of this.leases)
      await this.api.releaseLease(this.opts.app, id, nonce).catch(() => undefined);
    this.leases.clear();
  }
}
