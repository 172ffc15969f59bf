/** Server-side token buckets, one per "<action>:<machine or app>", like the Machines API's per-action limits. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

export class RateBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private limitFor: (key: string) => RateLimit) {}

  setLimits(limitFor: (key: string) => RateLimit): void {
    this.limitFor = limitFor;
    this.buckets.clear();
  }

  /** Takes a token; returns 0 when allowed, else the seconds (rounded up) until a token is back. */
  take(key: string, now = Date.now()): number {
    const { perSecond, burst } = this.limitFor(key);
    const b = this.buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
  }
}
