import type { AlertView, Logger } from '@flyprobe/shared';
import { DeliveryError } from '../providers/post.ts';
import type { Provider } from '../providers/provider.ts';
import type { AlertStore, OutboxEntry, Receiver, ReceiverKind } from '../types.ts';
import { retryDelayMs } from './backoff.ts';

export interface DeliveryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** How often due notifications are looked for (besides `kick`). */
  pollMs: number;
  batchSize: number;
  /** How often firing alerts are re-sent through providers that forget them (`Provider.refresh`: Alertmanager). */
  alertmanagerRefreshMs: number;
}

export const DEFAULT_DELIVERY: DeliveryOptions = {
  maxAttempts: 10,
  baseDelayMs: 1000,
  maxDelayMs: 5 * 60_000,
  pollMs: 1000,
  batchSize: 50,
  alertmanagerRefreshMs: 60_000,
};

export type DeliveryResult = 'delivered' | 'retry' | 'dead';

export interface DeliveryDeps {
  store: AlertStore;
  receivers: () => Promise<Receiver[]>;
  /** Looked up by receiver kind; only the `Provider` interface is used. */
  providers: Record<ReceiverKind, Provider>;
  /** Firing, notified alerts to keep alive in receivers that forget them. */
  firingAlerts: () => AlertView[];
  now: () => number;
  onResult?: (kind: ReceiverKind | 'unknown', result: DeliveryResult) => void;
  log: Logger;
}

/**
 * Drains the persisted outbox: each notification is retried with exponential backoff and jitter until it is
 * delivered or `maxAttempts` is reached. State lives in the store, so a restart resumes where it stopped
 * (delivery is at least once; receivers deduplicate by event id or, for Alertmanager, by labels).
 */
export class DeliveryWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private lastRefresh = 0;

  constructor(
    private readonly deps: DeliveryDeps,
    private readonly options: DeliveryOptions = DEFAULT_DELIVERY,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Something was queued: look now instead of at the next poll. */
  kick(): void {
    if (!this.stopped) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.runOnce();
        } while (this.again && !this.stopped);
        await this.refreshProviders();
      } catch (error) {
        this.deps.log('error', 'alert delivery pass failed', { error: String(error) });
      }
    })();
    await this.running;
    this.running = undefined;
    if (!this.stopped) this.schedule(this.options.pollMs);
  }

  /** Attempts every due notification once (receivers in parallel, each receiver in order). */
  async runOnce(): Promise<number> {
    const due = await this.deps.store.dueNotifications(this.deps.now(), this.options.batchSize);
    if (due.length === 0) return 0;
    const receivers = new Map((await this.deps.receivers()).map((r) => [r.id, r]));
    const byReceiver = new Map<string, OutboxEntry[]>();
    for (const e of due) byReceiver.set(e.receiverId, [...(byReceiver.get(e.receiverId) ?? []), e]);
    await Promise.all(
      [...byReceiver].map(async ([id, entries]) => {
        for (const e of entries) await this.attempt(e, receivers.get(id));
      }),
    );
    return due.length;
  }

  private async attempt(e: OutboxEntry, receiver: Receiver | undefined): Promise<void> {
    const attempts = e.attempts + 1;
    if (!receiver) {
      await this.deps.store.markAttemptFailed(e.id, {
        attempts,
        nextAttemptAt: this.deps.now(),
        error: `receiver ${e.receiverId} is no longer configured`,
        dead: true,
      });
      this.deps.onResult?.('unknown', 'dead');
      return;
    }
    try {
      await this.deps.providers[receiver.kind].deliver(receiver, {
        eventId: e.eventId,
        kind: e.kind,
        alert: e.alert,
        attempt: attempts,
      });
      await this.deps.store.markDelivered(e.id, this.deps.now());
      this.deps.onResult?.(receiver.kind, 'delivered');
    } catch (error) {
      const retryable = !(error instanceof DeliveryError) || error.retryable;
      const dead = !retryable || attempts >= this.options.maxAttempts;
      const nextAttemptAt =
        this.deps.now() + retryDelayMs(attempts, this.options.baseDelayMs, this.options.maxDelayMs);
      await this.deps.store.markAttemptFailed(e.id, {
        attempts,
        nextAttemptAt,
        error: String((error as Error).message),
        dead,
      });
      this.deps.onResult?.(receiver.kind, dead ? 'dead' : 'retry');
      this.deps.log(
        dead ? 'error' : 'warn',
        dead ? 'alert notification given up' : 'alert notification failed, will retry',
        {
          receiver: receiver.id,
          alert: e.alertId,
          kind: e.kind,
          attempts,
          error: String((error as Error).message),
        },
      );
    }
  }

  private async refreshProviders(): Promise<void> {
    const now = this.deps.now();
    if (now - this.lastRefresh < this.options.alertmanagerRefreshMs) return;
    this.lastRefresh = now;
    const firing = this.deps.firingAlerts();
    if (firing.length === 0) return;
    for (const r of await this.deps.receivers()) {
      const provider = this.deps.providers[r.kind];
      if (!provider?.refresh) continue;
      await provider.refresh(r, firing).catch((error: unknown) => {
        this.deps.log('warn', `${r.kind} refresh failed`, { receiver: r.id, error: String(error) });
      });
    }
  }
}
