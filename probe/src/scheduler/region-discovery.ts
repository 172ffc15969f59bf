import type { Logger, ProbeConfig, RegionCode } from '@flyprobe/shared';

export type DiscoverRegions = (app: string, resolver: string) => Promise<RegionCode[]>;

/**
 * Regions of targets that list none, from TXT `regions.<app>.internal`. Refreshed periodically;
 * `onChange` fires when any app's region set changes so the plan can be rebuilt.
 */
export class RegionDiscovery {
  private readonly regions = new Map<string, RegionCode[]>();
  private timer: NodeJS.Timeout | undefined;
  private apps: string[] = [];

  constructor(
    private readonly discover: DiscoverRegions,
    private readonly resolver: string | undefined,
    private readonly refreshMs: number,
    private readonly onChange: () => void,
    private readonly log: Logger,
  ) {}

  get known(): ReadonlyMap<string, readonly RegionCode[]> {
    return this.regions;
  }

  /** Sets which apps need discovery (from the config) and refreshes them now. */
  async track(config: ProbeConfig): Promise<void> {
    this.apps = [
      ...new Set(
        config.targets
          .filter(
            (t) => t.app && t.regions.length === 0 && t.paths.some((p) => p === 'pinned' || p === 'private'),
          )
          .map((t) => t.app!),
      ),
    ];
    for (const app of this.regions.keys()) if (!this.apps.includes(app)) this.regions.delete(app);
    if (this.apps.length > 0 && !this.resolver) {
      this.log(
        'warn',
        `region discovery for ${this.apps.join(', ')} needs FLYPROBE_RESOLVER (the 6PN DNS server)`,
      );
      return;
    }
    await this.refresh();
  }

  start(): void {
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    if (!this.resolver) return;
    let changed = false;
    for (const app of this.apps) {
      try {
        const found = await this.discover(app, this.resolver);
        if (found.join(',') !== (this.regions.get(app) ?? []).join(',')) {
          this.regions.set(app, found);
          changed = true;
        }
      } catch (err) {
        this.log('warn', `region discovery for ${app} failed: ${(err as Error).message}`);
      }
    }
    if (changed) this.onChange();
  }
}
