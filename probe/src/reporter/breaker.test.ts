import { describe, expect, it } from 'vitest';
import { fullJitterDelay } from './backoff.ts';
import { CircuitBreaker } from './breaker.ts';

describe('circuit breaker', () => {
  it('opens after N consecutive failures, half-opens after the cooldown, and closes on success', () => {
    let now = 0;
    const b = new CircuitBreaker(3, 1000, () => now);
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
    b.failure();
    expect(b.state).toBe('open');
    expect(b.waitMs()).toBe(1000);
    now = 999;
    expect(b.state).toBe('open');
    now = 1000;
    expect(b.state).toBe('half-open');
    expect(b.waitMs()).toBe(0);
    b.success();
    expect(b.state).toBe('closed');
  });

  it('reopens at once when the half-open attempt fails', () => {
    let now = 0;
    const b = new CircuitBreaker(2, 500, () => now);
    b.failure();
    b.failure();
    now = 600;
    expect(b.state).toBe('half-open');
    b.failure();
    expect(b.state).toBe('open');
    expect(b.waitMs()).toBe(500);
  });

  it('a success resets the failure count', () => {
    const b = new CircuitBreaker(2, 500, () => 0);
    b.failure();
    b.success();
    b.failure();
    expect(b.state).toBe('closed');
  });
});

describe('full-jitter backoff', () => {
  it('draws uniformly below an exponentially growing, capped ceiling', () => {
    expect(fullJitterDelay(0, 100, 10_000, () => 0.999)).toBe(99);
    expect(fullJitterDelay(3, 100, 10_000, () => 0.5)).toBe(400);
    expect(fullJitterDelay(20, 100, 10_000, () => 0.999)).toBe(9990);
    expect(fullJitterDelay(5, 100, 10_000, () => 0)).toBe(0);
  });
});
