import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { releaseChunks } from './release-chunks.ts';

describe('releaseChunks', () => {
  it('frees a chunk that is the whole of its buffer', () => {
    const chunk = Buffer.from(new Uint8Array(65_536).fill(7));
    expect(chunk.buffer.byteLength).toBe(65_536);
    releaseChunks([chunk]);
    expect(chunk.buffer.detached).toBe(true);
    expect(chunk.length).toBe(0);
  });

  it('leaves a view into a shared buffer and its neighbours intact', () => {
    const shared = new Uint8Array(32_768).fill(1);
    const first = shared.subarray(0, 16_384);
    const second = shared.subarray(16_384);
    second.fill(2);
    releaseChunks([first]);
    expect(shared.buffer.detached).toBe(false);
    expect(first[0]).toBe(1);
    expect(second[0]).toBe(2);
  });

  it('leaves pooled small buffers (Buffer.from of a short string shares the pool) intact', () => {
    const a = Buffer.from('{"a":1}');
    const b = Buffer.from('{"b":2}');
    releaseChunks([a]);
    expect(a.toString()).toBe('{"a":1}');
    expect(b.toString()).toBe('{"b":2}');
  });

  it('skips a chunk whose buffer is already released', () => {
    const chunk = Buffer.allocUnsafeSlow(8_192);
    releaseChunks([chunk, chunk]);
    expect(chunk.buffer.detached).toBe(true);
  });

  it('keeps gunzip output readable (its chunks are slices of a reused output buffer)', () => {
    const text = JSON.stringify({ pad: 'x'.repeat(100_000) });
    const out = gunzipSync(gzipSync(text));
    releaseChunks([out.subarray(0, 10)]);
    expect(out.toString()).toBe(text);
  });
});
