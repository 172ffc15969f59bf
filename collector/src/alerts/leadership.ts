import type { Logger } from '@flyprobe/shared';
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
  log: Logger;
}

/**
 * Runs the detector leader's work on exactly one collector of those sharing a store: the holder of a lease
 * in the database. The leader renews it every `renewMs`; when a renewal fails, answers no, or takes longer
 * than half the lease, it steps down at once (before the lease can have passed to another collector).
 * Renewals keep their pace while `onElected` runs (a warm-up reads up to 15 minutes of results).
 */
export class Leadership {
  private timer: NodeJS.Timeout | undefined;
  private leading = false;
  private stopped = true;
  private renewing: Promise<void> | undefined;
  /** Elections and step-downs, one after the other; renewals go on meanwhile (a warm-up can take a while). */
  private changes: Promise<void> = Promise.resolve();

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
    await this.changes;
    this.schedule();
  }

  /** Steps down (if leading) and releases the lease so a follower takes over without waiting for the expiry. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.renewing;
    await this.changes;
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
    this.renewing = this.renew().then((held) => {
      if (this.stopped || held === this.leading) return;
      // Decided now, applied in order: `leading` flips at once, so a lost lease stops new work right away.
      this.leading = held;
      this.changes = this.changes.then(() => this.apply(held));
    });
    return this.renewing;
  }

  private async apply(held: boolean): Promise<void> {
    try {
      if (held) {
        this.options.log('info', 'detector leader elected', { holder: this.options.holder });
        await this.options.onElected();
      } else {
        this.options.log('warn', 'detector leadership lost', { holder: this.options.holder });
        await this.options.onDeposed();
      }
    } catch (error) {
      this.options.log('error', 'leadership change failed', { error: String(error) });
    }
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
