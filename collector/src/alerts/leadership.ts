import type { LeaseStore } from '../store/store.ts';

export interface LeadershipOptions {
  /** Lease name; every collector sharing a database competes for the same one. */
  name: string;
  /** This collector's identity in the lease (unique per process). */
  holder: string;
  /** Lease length: a dead leader is replaced within ttlMs + renewMs. */
  ttlMs: number;
  /** How often the lease is renewed or, by a follower, tried. */
  renewMs: number;
  onElected(): Promise<void>;
  onDeposed(): Promise<void>;
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

/**
 * Runs the detector leader's work on exactly one collector of those sharing a store: the holder of a lease
 * in the database. The leader renews it every `renewMs`; when a renewal fails, answers no, or takes longer
 * than half the lease, it steps down at once (before the lease can have passed to another collector).
 */
export class Leadership {
  private timer: NodeJS.Timeout | undefined;
  private leading = false;
  private stopped = true;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: LeaseStore,
    private readonly options: LeadershipOptions,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /** Tries once now (so a lone collector leads from its first moment), then keeps trying on the timer. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.tick();
    this.schedule();
  }

  /** Steps down (if leading) and releases the lease so a follower takes over without waiting for the expiry. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (this.leading) {
      this.leading = false;
      await this.options.onDeposed();
      await this.store.releaseLease(this.options.name, this.options.holder).catch((error: unknown) => {
        this.options.log('warn', 'leader lease release failed', { error: String(error) });
      });
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.tick().finally(() => this.schedule());
    }, this.options.renewMs);
    this.timer.unref();
  }

  private tick(): Promise<void> {
    this.running = (async () => {
      const held = await this.renew();
      if (this.stopped) return;
      if (held && !this.leading) {
        this.leading = true;
        this.options.log('info', 'detector leader elected', { holder: this.options.holder });
        await this.options.onElected();
      } else if (!held && this.leading) {
        this.leading = false;
        this.options.log('warn', 'detector leadership lost', { holder: this.options.holder });
        await this.options.onDeposed();
      }
    })().catch((error: unknown) => {
      this.options.log('error', 'leadership change failed', { error: String(error) });
    });
    return this.running;
  }

  /** One acquire/renew bounded by half the lease: a late answer counts as lost. */
  private async renew(): Promise<boolean> {
    const { name, holder, ttlMs } = this.options;
    let timeout: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.store.acquireLease(name, holder, ttlMs),
        new Promise<boolean>((resolve) => {
          timeout = setTimeout(() => resolve(false), ttlMs / 2);
        }),
      ]);
    } catch (error) {
      this.options.log('warn', 'leader lease renewal failed', { error: String(error) });
      return false;
    } finally {
      clearTimeout(timeout);
    }
  }
}
