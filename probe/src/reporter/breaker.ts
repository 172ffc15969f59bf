export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Stops hammering a collector that keeps failing: after `threshold` consecutive failures the circuit
 * opens for `cooldownMs`; then one half-open attempt decides between closing and reopening.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private status: BreakerState = 'closed';

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get state(): BreakerState {
    if (this.status === 'open' && this.now() - this.openedAt >= this.cooldownMs) this.status = 'half-open';
    return this.status;
  }

  /** Milliseconds until an attempt is allowed (0 when closed or half-open). */
  waitMs(): number {
    return this.state === 'open' ? Math.max(0, this.cooldownMs - (this.now() - this.openedAt)) : 0;
  }

  success(): void {
    this.failures = 0;
    this.status = 'closed';
  }

  failure(): void {
    this.failures++;
    if (this.status === 'half-open' || this.failures >= this.threshold) {
      this.status = 'open';
      this.openedAt = this.now();
    }
  }
}
