import { describe, expect, it } from 'vitest';
import { ResultBuffer } from './buffer.ts';
import type { BufferedResult } from './buffered-result.ts';
import { testIdentity } from './testing/fixtures.ts';

const boot = testIdentity();
const entry = (seq: number, bytes = 10, probe = boot): BufferedResult => ({ probe, seq, json: '{}', bytes });

describe('result buffer', () => {
  it('evicts the oldest queued entries, not the batch in flight', () => {
    const b = new ResultBuffer({ maxResults: 5, maxBytes: 1e9 });
    for (let i = 0; i < 5; i++) b.push(entry(i));
    expect(b.take(2, 1e9).map((e) => e.seq)).toEqual([0, 1]);
    const evicted = b.push(entry(5));
    expect(evicted.map((e) => [e.entry.seq, e.reason])).toEqual([[2, 'buffer_full']]);
    b.returnInflight();
    expect(b.take(10, 1e9).map((e) => e.seq)).toEqual([0, 1, 3, 4, 5]);
  });

  it('keeps a batch to one boot and within the byte budget', () => {
    const old = testIdentity();
    const b = new ResultBuffer({ maxResults: 100, maxBytes: 1e9 });
    b.push(entry(7, 10, old));
    b.push(entry(8, 10, old));
    b.push(entry(0, 10));
    expect(b.take(10, 1e9).map((e) => e.probe.bootId)).toEqual([old.bootId, old.bootId]);
    b.settleInflight();
    b.push(entry(1, 50));
    b.push(entry(2, 50));
    expect(b.take(10, 60).map((e) => e.seq)).toEqual([0, 1]);
  });

  it('returns only the kept part of a partially rejected batch, in order', () => {
    const b = new ResultBuffer({ maxResults: 100, maxBytes: 1e9 });
    for (let i = 0; i < 4; i++) b.push(entry(i));
    b.take(4, 1e9);
    b.returnInflight((e) => e.seq !== 2);
    expect(b.depth).toBe(3);
    expect(b.bytes).toBe(30);
    expect(b.take(10, 1e9).map((e) => e.seq)).toEqual([0, 1, 3]);
  });
});
