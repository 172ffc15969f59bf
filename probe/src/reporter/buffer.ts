import type { BufferedResult } from './buffered-result.ts';
import { Deque } from './deque.ts';

export type EvictionReason = 'buffer_full' | 'buffer_bytes';

export interface BufferLimits {
  maxResults: number;
  maxBytes: number;
}

/**
 * Bounded FIFO of results. Past either bound the oldest queued results are evicted and returned so the
 * caller counts them. The batch in flight sits outside the queue (it is likely delivered already) but
 * counts towards the bounds; a failed send puts it back at the front.
 */
export class ResultBuffer {
  private readonly queue = new Deque<BufferedResult>();
  private inflight: BufferedResult[] = [];
  private queuedBytes = 0;
  private inflightBytes = 0;

  constructor(private readonly limits: BufferLimits) {}

  get depth(): number {
    return this.queue.length + this.inflight.length;
  }

  get bytes(): number {
    return this.queuedBytes + this.inflightBytes;
  }

  get queued(): number {
    return this.queue.length;
  }

  get hasInflight(): boolean {
    return this.inflight.length > 0;
  }

  push(entry: BufferedResult): { entry: BufferedResult; reason: EvictionReason }[] {
    this.queue.pushBack(entry);
    this.queuedBytes += entry.bytes;
    const evicted: { entry: BufferedResult; reason: EvictionReason }[] = [];
    while (this.queue.length > 0) {
      const reason: EvictionReason | undefined =
        this.depth > this.limits.maxResults
          ? 'buffer_full'
          : this.bytes > this.limits.maxBytes
            ? 'buffer_bytes'
            : undefined;
      if (!reason) break;
      const old = this.queue.popFront()!;
      this.queuedBytes -= old.bytes;
      evicted.push({ entry: old, reason });
    }
    return evicted;
  }

  /** Takes the oldest results of one boot (a batch has one probe identity) into flight. */
  take(maxResults: number, maxBytes: number): BufferedResult[] {
    if (this.inflight.length > 0) throw new Error('a batch is already in flight');
    const first = this.queue.peekFront();
    if (!first) return [];
    const batch: BufferedResult[] = [];
    let bytes = 0;
    for (let next = first; next && batch.length < maxResults; next = this.queue.peekFront()!) {
      if (next.probe.bootId !== first.probe.bootId) break;
      if (batch.length > 0 && bytes + next.bytes > maxBytes) break;
      this.queue.popFront();
      batch.push(next);
      bytes += next.bytes;
    }
    this.queuedBytes -= bytes;
    this.inflight = batch;
    this.inflightBytes = bytes;
    return batch;
  }

  /** The batch in flight is settled (stored, duplicate or rejected): forget it. */
  settleInflight(): void {
    this.inflight = [];
    this.inflightBytes = 0;
  }

  /** The send failed: the batch in flight (or the part `keep` selects) goes back to the front, in order. */
  returnInflight(keep: (entry: BufferedResult) => boolean = () => true): void {
    for (let i = this.inflight.length - 1; i >= 0; i--) {
      const entry = this.inflight[i]!;
      if (!keep(entry)) continue;
      this.queue.pushFront(entry);
      this.queuedBytes += entry.bytes;
    }
    this.settleInflight();
  }

  /** Removes everything (shutdown without a spool); returns what was removed. */
  drain(): BufferedResult[] {
    const out = [...this.inflight];
    this.settleInflight();
    for (let e = this.queue.popFront(); e; e = this.queue.popFront()) out.push(e);
    this.queuedBytes = 0;
    return out;
  }
}
