/** Sleeps for ms; the only timer the Machines client uses, so tests can see every wait it makes. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets keyed by "<action>:<machine or app>", matching the Machines API's documented limit of
 * about 1 request per second per action per Machine with short bursts (Get Machine: 5/s, burst 10).
 * Waiting here first keeps the CLI from provoking 429s; 429s that still happen are retried by the client.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves once a token for `key` is available and takes it. */
  async take(key: string): Promise<void> {
    for (;;) {
      const wait = this.tryTake(key);
      if (wait === 0) return;
      await sleep(wait);
    }
  }

  /** Takes a token and returns 0, or returns how many ms until one is available. */
  tryTake(key: string): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.perSecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / this.perSecond) * 1000);
  }
}
