import type { MiddlewareHandler } from 'hono';
import type { ApiEnv } from '../env.ts';
import { ApiError } from '../errors.ts';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Keys idle this long are forgotten; their bucket would be full again anyway. */
const MAX_KEYS = 10_000;

/** A token bucket per key: `ratePerSec` sustained, `burst` at once. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
  ) {}

  /** Takes one token; on refusal returns the seconds until one is available. */
  take(key: string, now: number): { ok: true } | { ok: false; retryAfterS: number } {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= MAX_KEYS) this.forgetFull(now);
      bucket = { tokens: this.burst, updatedAt: now };
      this.buckets.set(key, bucket);
    }
    const elapsedS = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(this.burst, bucket.tokens + elapsedS * this.ratePerSec);
    bucket.updatedAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSec)) };
  }

  private forgetFull(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.updatedAt) / 1000) * this.ratePerSec >= this.burst) this.buckets.delete(key);
    }
    // Every key busy: drop the oldest rather than grow without bound.
    if (this.buckets.size >= MAX_KEYS) {
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
  }
}

/** 429 with Retry-After once the caller's token has used its bucket. */
export function rateLimit(buckets: TokenBuckets, now: () => number): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const verdict = buckets.take(c.get('caller').tokenId, now());
    if (!verdict.ok) {
      throw new ApiError(
        429,
        'rate_limited',
        `rate limit exceeded for this token; retry after ${verdict.retryAfterS} s`,
        undefined,
        { 'Retry-After': String(verdict.retryAfterS) },
      );
    }
    await next();
  };
}
