/** Tracks requests and background work in flight so that a graceful stop can wait for them. */
export class Lifecycle {
  private stopping = false;
  private active = 0;
  private readonly background = new Set<Promise<unknown>>();
  private idleWaiters: Array<() => void> = [];

  get shuttingDown(): boolean {
    return this.stopping;
  }

  get activeRequests(): number {
    return this.active;
  }

  beginShutdown(): void {
    this.stopping = true;
  }

  enter(): void {
    this.active++;
  }

  leave(): void {
    this.active--;
    if (this.active === 0) this.wakeIdle();
  }

  /** Work started by a request that outlives its response (ingest listeners). */
  track(work: Promise<unknown>): void {
    this.background.add(work);
    void work.finally(() => {
      this.background.delete(work);
      if (this.active === 0 && this.background.size === 0) this.wakeIdle();
    });
  }

  /** Resolves true once nothing is in flight, or false when `timeoutMs` passes first. */
  async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const idle = async () => {
      while (this.active > 0 || this.background.size > 0) {
        await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
        if (this.background.size > 0) await Promise.allSettled([...this.background]);
      }
      return true;
    };
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      if (this.active === 0 && this.background.size === 0) return true;
      return await Promise.race([idle(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
