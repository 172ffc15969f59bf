import type { Logger, ProbeConfig, ProbeIdentity } from '@flyprobe/shared';
import type { EchoPorts } from '../checks/core/check.ts';
import { discoverRegions } from '../checks/core/dns.ts';
import { buildPlan } from '../scheduler/build-plan.ts';
import { type DiscoverRegions, RegionDiscovery } from '../scheduler/region-discovery.ts';
import type { Scheduler } from '../scheduler/scheduler.ts';

const REGION_REFRESH_MS = 60_000;

export interface PlannerDeps {
  identity: ProbeIdentity;
  resolver: string | undefined;
  scheduler: Scheduler;
  echoPorts: EchoPorts;
  config: () => ProbeConfig;
  discover?: DiscoverRegions;
  log: Logger;
}

/**
 * Keeps the scheduler running the current config: rebuilds the plan when the config changes or region
 * discovery finds a change, and logs its warnings once per distinct set.
 */
export class Planner {
  private readonly discovery: RegionDiscovery;
  private lastWarnings = '';

  constructor(private readonly deps: PlannerDeps) {
    this.discovery = new RegionDiscovery(
      deps.discover ?? ((app, resolver) => discoverRegions(app, resolver)),
      deps.resolver,
      REGION_REFRESH_MS,
      () => this.replan(),
      deps.log,
    );
  }

  /** The config changed: track its apps for discovery and plan it. */
  reconfigure(): void {
    void this.discovery.track(this.deps.config());
    this.replan();
  }

  start(): void {
    this.discovery.start();
  }

  stop(): void {
    this.discovery.stop();
  }

  private replan(): void {
    const { identity, scheduler, log } = this.deps;
    const config = this.deps.config();
    const plan = buildPlan(config, {
      self: { probeId: identity.probeId, region: identity.region },
      resolver: this.deps.resolver,
      discoveredRegions: this.discovery.known,
      echoPorts: this.deps.echoPorts,
    });
    const warnings = plan.warnings.join('\n');
    if (warnings && warnings !== this.lastWarnings)
      for (const w of plan.warnings) log('warn', `config: ${w}`);
    this.lastWarnings = warnings;
    const applied = scheduler.apply(plan);
    if (applied.added + applied.removed > 0) {
      log(
        'info',
        `config ${config.revision}: ${scheduler.scheduledChecks} checks (+${applied.added} -${applied.removed})`,
      );
    }
  }
}
