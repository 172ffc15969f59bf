import type { DROP_REASONS, Heartbeat, Logger, LogLevel, ProbeIdentity, ProbeResult } from '@flyprobe/shared';
import { MAX_TEXT, SCHEMA_VERSION, withoutControlCharacters } from '@flyprobe/shared';
import type { CheckOutput } from '../checks/core/check.ts';
import type { CollectorSettings, ReporterSettings } from '../config/settings.ts';
import type { ProbeMetrics } from '../health/metrics.ts';
import { fullJitterDelay } from './backoff.ts';
import { CircuitBreaker } from './breaker.ts';
import { ResultBuffer } from './buffer.ts';
import type { BufferedResult } from './buffered-result.ts';
import { CollectorUrls } from './collector-urls.ts';
import { IngestSender, type SendOutcome } from './sender.ts';
import type { Spool } from './spool.ts';
import { Wakeup } from './wakeup.ts';

export type DropReason = (typeof DROP_REASONS)[number];

export interface ReporterOptions {
  /** The current boot's identity; results recovered from the spool keep their own. */
  probe: ProbeIdentity;
  collector: CollectorSettings;
  settings: ReporterSettings;
  /** Batch size and flush interval, read live so remote config changes apply. */
  batching: () => { maxBatch: number; intervalMs: number };
  heartbeat: () => Heartbeat;
  metrics?: ProbeMetrics;
  spool?: Spool;
  log?: Logger;
}

/** Largest request body; a 413 halves the batch size from there. */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** After a 413 the batch cap grows back by this share of the configured batch size per stored batch. */
const BATCH_RECOVERY_STEPS = 8;
/** An auth failure is logged at once, then at most once per this interval while it lasts. */
const AUTH_LOG_INTERVAL_MS = 60_000;

/**
 * Stamps results with (boot id, seq), buffers them within bounds, and ships them to the collector in
 * batches by size and time, with full-jitter backoff, a circuit breaker and an optional disk spool.
 */
export class Reporter {
  private seq = 0;
  private readonly droppedBy: Partial<Record<DropReason, number>> = {};
  private readonly buffer: ResultBuffer;
  private readonly breaker: CircuitBreaker;
  private readonly sender: IngestSender;
  private readonly wakeup = new Wakeup();
  private loopDone: Promise<void> | undefined;
  private drainDeadline: number | undefined;
  /** Aborted when stop() starts: cuts a pending backoff short so draining begins at once. */
  private readonly stopping = new AbortController();
  /** Aborted at the drain deadline: cancels the request in flight. */
  private readonly drainAbort = new AbortController();
  /** Lowered by 413 answers (halved), raised again by stored batches (additive increase). */
  private batchCap = Number.POSITIVE_INFINITY;
  private lastAuthLog: number | undefined;
  private closed = false;

  constructor(private readonly opts: ReporterOptions) {
    const s = opts.settings;
    this.buffer = new ResultBuffer({ maxResults: s.maxBufferResults, maxBytes: s.maxBufferBytes });
    this.breaker = new CircuitBreaker(s.breakerThreshold, s.breakerCooldownMs);
    this.sender = new IngestSender(
      CollectorUrls.of(opts.collector, { returnAfterMs: s.failbackMs, log: this.opts.log }),
      opts.collector.token,
      s.requestTimeoutMs,
    );
  }

  get depth(): number {
    return this.buffer.depth;
  }

  get bytes(): number {
    return this.buffer.bytes;
  }

  get breakerOpen(): boolean {
    return this.breaker.state === 'open';
  }

  /** Cumulative drops since boot, by reason. */
  dropped(): Partial<Record<DropReason, number>> {
    return { ...this.droppedBy };
  }

  /** Next sequence number of this boot (= results stamped so far). */
  get nextSeq(): number {
    return this.seq;
  }

  /** Stamps a result of this boot and queues it. */
  add(output: CheckOutput): ProbeResult {
    const result: ProbeResult = { seq: this.seq++, ...output };
    if (this.closed) {
      // A run that outlived the shutdown grace: too late to send or spool.
      this.countDrop('shutdown', 1);
      return result;
    }
    // Error texts come from libraries and peers: the collector refuses control characters and overlong text.
    if (result.errorMessage)
      result.errorMessage = withoutControlCharacters(result.errorMessage).slice(0, MAX_TEXT);
    const json = JSON.stringify(result);
    const entry: BufferedResult = {
      probe: this.opts.probe,
      seq: result.seq,
      json,
      bytes: Buffer.byteLength(json),
    };
    this.opts.spool?.append(entry);
    this.enqueue(entry);
    return result;
  }

  /** Queues results a previous boot left in the spool; they keep their original keys. */
  addRecovered(entries: BufferedResult[]): void {
    for (const e of entries) this.enqueue(e);
  }

  /** Counts results lost before they could be queued (unreadable spool records). */
  countLost(reason: DropReason, n: number): void {
    if (n > 0) this.countDrop(reason, n);
  }

  start(): void {
    this.loopDone ??= this.loop().catch((err: Error) =>
      this.log('error', `reporter loop failed: ${err.stack ?? err.message}`),
    );
  }

  /**
   * Sends what is buffered until empty or `deadline` (performance.now() ms), then stops. What is left
   * stays in the spool when there is one, or is counted as dropped for `shutdown`.
   */
  async stop(deadline: number): Promise<void> {
    this.drainDeadline = deadline;
    this.stopping.abort();
    const abortTimer = setTimeout(() => this.drainAbort.abort(), Math.max(0, deadline - performance.now()));
    this.wakeup.notify();
    this.start();
    await this.loopDone;
    clearTimeout(abortTimer);
    this.closed = true;
    if (this.opts.spool) {
      this.buffer.returnInflight();
      await this.opts.spool.close();
    } else {
      const left = this.buffer.drain();
      if (left.length > 0) this.countDrop('shutdown', left.length);
    }
    await this.sender.close();
  }

  private enqueue(entry: BufferedResult): void {
    const before = this.buffer.queued;
    for (const { entry: old, reason } of this.buffer.push(entry)) this.drop(old, reason);
    // Wake the sender when there is something new to wait for: a first result, or a full batch.
    if (before === 0 || this.buffer.queued === this.opts.batching().maxBatch) this.wakeup.notify();
  }

  private drop(entry: BufferedResult, reason: DropReason): void {
    entry.spool?.settle(entry.seq);
    this.countDrop(reason, 1);
  }

  private countDrop(reason: DropReason, n: number): void {
    this.droppedBy[reason] = (this.droppedBy[reason] ?? 0) + n;
    this.opts.metrics?.dropped.inc({ reason }, n);
  }

  private async loop(): Promise<void> {
    const s = this.opts.settings;
    let attempt = 0;
    let lastFlushAt = performance.now();
    let lastSentAt = performance.now();
    for (;;) {
      const now = performance.now();
      const draining = this.drainDeadline !== undefined;
      if (draining && (this.buffer.queued === 0 || now >= this.drainDeadline!)) return;
      if (!draining) {
        const { maxBatch, intervalMs } = this.opts.batching();
        if (this.buffer.queued < Math.min(maxBatch, this.batchCap)) {
          const flushAt = this.buffer.queued > 0 ? lastFlushAt + intervalMs : Number.POSITIVE_INFINITY;
          const due = Math.min(flushAt, lastSentAt + s.heartbeatIntervalMs);
          if (now < due) {
            await this.wakeup.wait(due - now);
            continue;
          }
        }
        const closedIn = this.breaker.waitMs();
        if (closedIn > 0) {
          await this.wakeup.wait(closedIn);
          continue;
        }
      }
      lastFlushAt = performance.now();
      const verdict = await this.sendOne();
      if (verdict === 'sent') {
        attempt = 0;
        lastSentAt = performance.now();
        continue;
      }
      if (verdict === 'again') continue;
      attempt++;
      const delay = verdict.retryAfterMs ?? fullJitterDelay(attempt, s.retryBaseMs, s.retryMaxMs);
      if (this.drainDeadline === undefined) await this.sleep(delay, this.stopping.signal);
      else await this.sleep(Math.min(delay, this.drainDeadline - performance.now()), this.drainAbort.signal);
    }
  }

  /** One request. `sent`: the collector settled it; `again`: resend now; otherwise back off. */
  private async sendOne(): Promise<'sent' | 'again' | { retryAfterMs?: number }> {
    const { maxBatch } = this.opts.batching();
    const batch = this.buffer.take(Math.max(1, Math.min(maxBatch, this.batchCap)), MAX_BATCH_BYTES);
    const probe = batch[0]?.probe ?? this.opts.probe;
    const current = probe.bootId === this.opts.probe.bootId;
    const body = this.body(probe, batch, current ? this.opts.heartbeat() : undefined);
    const outcome = await this.sender.send(body, batch.length, this.drainAbort.signal);
    this.opts.metrics?.batches.inc({ result: outcome.kind });
    return this.settle(batch, outcome);
  }

  private settle(
    batch: BufferedResult[],
    outcome: SendOutcome,
  ): 'sent' | 'again' | { retryAfterMs?: number } {
    switch (outcome.kind) {
      case 'stored': {
        const rejected = new Set(outcome.rejected.map((r) => r.index));
        for (const [i, e] of batch.entries()) {
          if (rejected.has(i)) this.drop(e, 'rejected');
          else e.spool?.settle(e.seq);
        }
        this.buffer.settleInflight();
        this.breaker.success();
        this.growBatchCap();
        if (rejected.size > 0)
          this.log('warn', `collector rejected ${rejected.size} result(s): ${outcome.rejected[0]?.reason}`);
        return 'sent';
      }
      case 'partial': {
        const rejected = new Set(outcome.rejected.map((r) => batch[r.index]).filter((e) => e !== undefined));
        for (const e of rejected) this.drop(e, 'rejected');
        this.buffer.returnInflight((e) => !rejected.has(e));
        this.breaker.success();
        return 'again';
      }
      case 'rejected': {
        for (const e of batch) this.drop(e, 'rejected');
        this.buffer.settleInflight();
        this.breaker.success();
        this.log(
          'warn',
          `collector rejected a batch of ${batch.length} (HTTP ${outcome.status}): ${outcome.message}`,
        );
        return 'sent';
      }
      case 'too_large': {
        if (batch.length <= 1) {
          for (const e of batch) this.drop(e, 'rejected');
          this.buffer.settleInflight();
          return 'sent';
        }
        this.batchCap = Math.max(1, Math.floor(batch.length / 2));
        this.log(
          'warn',
          `collector refused a batch of ${batch.length} as too large (HTTP 413); sending ${this.batchCap} at a time`,
        );
        this.buffer.returnInflight();
        return 'again';
      }
      case 'auth': {
        this.buffer.returnInflight();
        this.breaker.failure();
        const now = performance.now();
        if (this.lastAuthLog === undefined || now - this.lastAuthLog >= AUTH_LOG_INTERVAL_MS) {
          this.lastAuthLog = now;
          this.log(
            'warn',
            `collector refused the probe token (HTTP ${outcome.status}); keeping results and backing off`,
          );
        }
        return {};
      }
      case 'retry': {
        this.buffer.returnInflight();
        this.breaker.failure();
        return { retryAfterMs: outcome.retryAfterMs };
      }
    }
  }

  /** Additive increase back to the configured batch size, so one burst of 413s is not a lasting cut. */
  private growBatchCap(): void {
    if (this.batchCap === Number.POSITIVE_INFINITY) return;
    const { maxBatch } = this.opts.batching();
    this.batchCap += Math.max(1, Math.ceil(maxBatch / BATCH_RECOVERY_STEPS));
    if (this.batchCap >= maxBatch) {
      this.batchCap = Number.POSITIVE_INFINITY;
      this.log('info', `batch size back to ${maxBatch}`);
    }
  }

  private body(probe: ProbeIdentity, batch: BufferedResult[], heartbeat: Heartbeat | undefined): string {
    const hb = heartbeat ? `,"heartbeat":${JSON.stringify(heartbeat)}` : '';
    return `{"schemaVersion":${SCHEMA_VERSION},"probe":${JSON.stringify(probe)},"results":[${batch.map((e) => e.json).join(',')}]${hb}}`;
  }

  /** Backoff sleep: not cut short by new results, only by `signal`. */
  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (ms <= 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
    });
  }

  private log(level: LogLevel, message: string): void {
    this.opts.log?.(level, message);
  }
}
