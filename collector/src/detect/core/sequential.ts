/**
 * A Bernoulli CUSUM (Page's test) for a failure rate, with a beta-smoothed baseline of its own and a
 * sequential probability ratio test that ends an alarm once the baseline rate is back.
 *
 * Each trial adds log(p1/p0) (failure) or log((1-p1)/(1-p0)) (success) to a score floored at 0; the alarm
 * starts when the score reaches `fireScore`. p0 is the cell's own baseline: Beta(prior) updated with trials
 * only while no alarm is open (a fault never teaches the baseline), decaying over `baselineTrials`; p1 is the
 * smallest rate worth reporting, at least `rateRatio` x p0. Clearing tests p0 against the rate seen during
 * the alarm: successes since the last failure accumulate log((1-pA)/(1-p0)) until they reach `-clearScore`,
 * so a 100% fault clears on the first success and a 10% one after about 20.
 */
export interface SequentialRateOptions {
  priorRate: number;
  priorWeight: number;
  baselineTrials: number;
  minRate: number;
  rateRatio: number;
  fireScore: number;
  clearScore: number;
}

/** A score that hovers above 0 (a chronic low rate) still teaches the baseline, this many trials late. */
const MAX_PENDING = 100;

/** Trial outcomes in arrival order, in a fixed byte ring: a trial allocates nothing. */
class TrialQueue {
  private readonly bits: Uint8Array;
  private head = 0;
  size = 0;
  /** Failed trials among those queued. */
  failures = 0;

  constructor(capacity: number) {
    this.bits = new Uint8Array(capacity);
  }

  /** Appends; the caller keeps `size` below the capacity. */
  push(failed: boolean): void {
    this.bits[(this.head + this.size) % this.bits.length] = failed ? 1 : 0;
    this.size++;
    if (failed) this.failures++;
  }

  /** Removes and returns the oldest; only when `size > 0`. */
  shift(): boolean {
    const failed = this.bits[this.head] === 1;
    this.head = (this.head + 1) % this.bits.length;
    this.size--;
    if (failed) this.failures--;
    return failed;
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
    this.failures = 0;
  }
}

export class SequentialRate {
  private baseFailures = 0;
  private baseTrials = 0;
  /** CUSUM score in nats. */
  score = 0;
  alarmed = false;
  private alarmFailures = 0;
  private alarmTrials = 0;
  private clearLlr = 0;
  /** Trials since the score last was 0: they join the baseline only if no alarm follows. */
  private readonly pending = new TrialQueue(MAX_PENDING + 1);

  constructor(private readonly o: SequentialRateOptions) {}

  /** Baseline failure rate: prior pseudo-counts plus the decayed clean trials. */
  baseline(): number {
    const a = this.o.priorRate * this.o.priorWeight;
    return (this.baseFailures + a) / (this.baseTrials + this.o.priorWeight);
  }

  /** The alternative rate the CUSUM looks for. */
  alternative(): number {
    return Math.min(0.99, Math.max(this.o.minRate, this.o.rateRatio * this.baseline()));
  }

  /** Rate observed since the alarm opened (undefined without an alarm). */
  alarmRate(): number | undefined {
    return this.alarmed && this.alarmTrials > 0 ? this.alarmFailures / this.alarmTrials : undefined;
  }

  /** One trial; returns true when this trial opened an alarm. */
  observe(failed: boolean): boolean {
    const p0 = this.baseline();
    const p1 = this.alternative();
    const step = failed ? Math.log(p1 / p0) : Math.log((1 - p1) / (1 - p0));
    // Capped, so that the score of a long fault does not outlive it.
    this.score = Math.min(2 * this.o.fireScore, Math.max(0, this.score + step));
    if (this.alarmed) {
      if (failed) {
        this.alarmFailures++;
        this.clearLlr = 0;
      } else {
        // The alarm's rate before this trial: a total outage clears on its first success.
        const pa = Math.min(0.99, Math.max(p1, this.alarmFailures / this.alarmTrials));
        this.clearLlr += Math.log((1 - pa) / (1 - p0));
      }
      this.alarmTrials++;
      if (this.clearLlr <= -this.o.clearScore) this.endAlarm();
      return false;
    }
    this.pending.push(failed);
    if (this.score >= this.o.fireScore) {
      this.alarmed = true;
      this.alarmFailures = this.pending.failures;
      this.alarmTrials = this.pending.size;
      this.clearLlr = 0;
      // The trials that led to the alarm are the fault's, not the baseline's.
      this.pending.clear();
      return true;
    }
    // Trials join the baseline only once the score has been back at 0 (the onset of a fault stays out).
    if (this.score === 0) while (this.pending.size > 0) this.learn(this.pending.shift());
    else if (this.pending.size > MAX_PENDING) this.learn(this.pending.shift());
    return false;
  }

  private learn(failed: boolean): void {
    const keep = 1 - 1 / this.o.baselineTrials;
    this.baseFailures = this.baseFailures * keep + (failed ? 1 : 0);
    this.baseTrials = this.baseTrials * keep + 1;
  }

  /** Ends an open alarm from outside (a test with more data said the fault is over). */
  clear(): void {
    if (this.alarmed) this.endAlarm();
  }

  private endAlarm(): void {
    this.alarmed = false;
    this.score = 0;
    this.alarmFailures = 0;
    this.alarmTrials = 0;
    this.clearLlr = 0;
  }
}

/**
 * Ends a windowed rule's alarm early: once the run of clean samples since the last bad one is long enough
 * that a fault still at its rate (bad share of the samples since the alarm began) would have shown again,
 * with log-likelihood `clearScore` (nats). A steady fault ends on its first clean samples; an intermittent one
 * at a third of the samples needs about 17, so it does not flap.
 */
export class FaultEnd {
  /** Samples and bad ones counted since the open alarm began (undefined: no alarm). */
  private counts: { total: number; bad: number; seenAt: number } | undefined;
  /** Newest sample when the last alarm ended: bad samples up to it belong to that alarm, not to a new one. */
  clearedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly clearScore: number) {}

  /** An alarm is open: `ended` counts its samples. Without one, `ended` with `firing` false is a no-op. */
  get open(): boolean {
    return this.counts !== undefined;
  }

  /** `samples` oldest first; `firing`: the rule's fire condition holds now. True when the alarm is over. */
  ended(samples: readonly { at: number; bad: boolean }[], firing: boolean): boolean {
    if (!this.counts) {
      if (!firing) return false;
      const from = samples.findIndex((s) => s.bad);
      const during = samples.slice(Math.max(0, from));
      this.counts = {
        total: during.length,
        bad: during.filter((s) => s.bad).length,
        seenAt: samples.at(-1)?.at ?? Number.NEGATIVE_INFINITY,
      };
      return false;
    }
    const c = this.counts;
    for (const s of samples)
      if (s.at > c.seenAt) {
        c.total++;
        if (s.bad) c.bad++;
      }
    c.seenAt = Math.max(c.seenAt, samples.at(-1)?.at ?? c.seenAt);
    let run = 0;
    for (let i = samples.length - 1; i >= 0 && !samples[i]?.bad; i--) run++;
    // The rate before the clean run, with one pseudo clean sample: a short alarm's rate is not taken as certain.
    const rate = Math.min(0.99, c.bad / (c.total - run + 1));
    if (run * -Math.log(1 - rate) < this.clearScore) return false;
    this.counts = undefined;
    this.clearedAt = samples.at(-1)?.at ?? this.clearedAt;
    return true;
  }
}
