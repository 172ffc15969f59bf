import type { Logger } from '@flyprobe/shared';
import type { Counter, Gauge } from 'prom-client';

export interface PollerDeps {
  source: string;
  intervalMs: number;
  poll: () => Promise<void>;
  metrics: { failures: Counter<'source'>; up: Gauge<'source'> };
  log: Logger;
}

/**
 * Runs `poll` now and every `intervalMs`; polls never overlap. Failures are quiet: a counter per failure and
 * one log line when the source becomes unreachable (and one when it is back), not one per attempt.
 */
export class Poller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private failing = false;
  private stopped = false;
  /** Polls run one after another, whether from the timer or `once`. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly deps: PollerDeps) {}

  start(): void {
    this.tick();
  }

  /** One poll as soon as the one in flight (if any) is done. */
  once(): Promise<void> {
    const run = this.chain.then(() => this.poll());
    this.chain = run;
    return run;
  }

  private async poll(): Promise<void> {
    const { source, metrics, log } = this.deps;
    try {
      await this.deps.poll();
      metrics.up.set({ source }, 1);
      if (this.failing) log('info', 'cause source reachable again', { source });
      this.failing = false;
    } catch (error) {
      metrics.failures.inc({ source });
      metrics.up.set({ source }, 0);
      if (!this.failing) log('warn', 'cause source unreachable', { source, error: String(error) });
      this.failing = true;
    }
  }

  private tick(): void {
    if (this.stopped) return;
    this.running = this.once().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      this.timer = setTimeout(() => this.tick(), this.deps.intervalMs);
      this.timer.unref();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
