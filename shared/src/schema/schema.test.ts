import { describe, expect, it } from 'vitest';
import { formatFieldErrors, ingestBatch, parseWith, probeConfig, probeResult } from './index.ts';

const okResult = {
  seq: 0,
  target: 'web',
  path: 'pinned',
  protocol: 'http',
  targetRegion: 'fra',
  startedAt: Date.parse('2026-11-26T00:00:00Z'),
  latencyMs: 12.5,
  phases: { connect: 3.1, ttfb: 12.5, total: 14 },
  outcome: 'ok',
  httpStatus: 200,
  httpVersion: '1.1',
  edgeRegion: 'ams',
  servedRegion: 'fra',
};

function errorsOf(input: unknown) {
  const r = parseWith(probeResult, input);
  if (r.ok) throw new Error('expected a rejection');
  return formatFieldErrors(r.errors);
}

describe('probe result schema', () => {
  it('accepts a well-formed result', () => {
    expect(parseWith(probeResult, okResult).ok).toBe(true);
  });
  it('rejects a negative timing and names the phase', () => {
    expect(errorsOf({ ...okResult, phases: { ttfb: -1 } })).toBe('phases.ttfb: must not be negative');
  });
  it('rejects NaN and Infinity', () => {
    expect(errorsOf({ ...okResult, latencyMs: Number.NaN })).toMatch(/^latencyMs: must be a/);
    expect(errorsOf({ ...okResult, phases: { total: Number.POSITIVE_INFINITY } })).toMatch(
      /^phases\.total: must be a/,
    );
  });
  it('rejects unknown fields by name', () => {
    expect(errorsOf({ ...okResult, servedRegoin: 'fra' })).toBe('unknown field(s): servedRegoin');
    expect(errorsOf({ ...okResult, phases: { rtt: 1 } })).toBe('phases: unknown field(s): rtt');
  });
  it('rejects wrong types', () => {
    expect(errorsOf({ ...okResult, seq: '7' })).toMatch(/^seq: /);
    expect(errorsOf({ ...okResult, path: 'satellite' })).toMatch(/^path: /);
  });
  it('rejects oversize strings', () => {
    expect(errorsOf({ ...okResult, errorMessage: 'x'.repeat(513), outcome: 'error' })).toBe(
      'errorMessage: must be at most 512 characters',
    );
    expect(errorsOf({ ...okResult, target: 'a'.repeat(65) })).toBe('target: must be at most 64 characters');
  });
  it('rejects malformed region codes and timestamps', () => {
    expect(errorsOf({ ...okResult, servedRegion: 'FRA1' })).toBe(
      'servedRegion: must be a three-letter lowercase region code',
    );
    expect(errorsOf({ ...okResult, startedAt: 12 })).toBe(
      'startedAt: must be Unix epoch milliseconds after 2020-01-01',
    );
  });
  it('accepts unknown but well-formed edge regions (Fly adds edges), not other regions', () => {
    expect(parseWith(probeResult, { ...okResult, edgeRegion: 'xyz' }).ok).toBe(true);
    expect(errorsOf({ ...okResult, servedRegion: 'zzz' })).toBe(
      'servedRegion: must be a Fly region where Machines run (see GET /v1/regions)',
    );
    // Edge-only codes are edges: never where a Machine runs.
    expect(errorsOf({ ...okResult, targetRegion: 'dxb' })).toMatch(/^targetRegion: must be a Fly region/);
  });
  it('bounds every number and refuses control characters in text', () => {
    expect(errorsOf({ ...okResult, latencyMs: 1e308 })).toBe('latencyMs: must be at most 86400000 (one day)');
    expect(errorsOf({ ...okResult, startedAt: 1e15 })).toBe(
      'startedAt: must be Unix epoch milliseconds before 2100-01-01',
    );
    expect(errorsOf({ ...okResult, outcome: 'error', errorMessage: 'x\u001b]0;pwned\u0007' })).toBe(
      'errorMessage: must not contain control characters (C0, DEL, C1, ESC)',
    );
  });
});

describe('ingest batch schema', () => {
  const probe = { probeId: 'p-iad-1', region: 'iad', machineId: 'm1', bootId: 'b1', version: '0.1.0' };
  it('requires the schema version', () => {
    const r = parseWith(ingestBatch, { schemaVersion: 2, probe, results: [] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(formatFieldErrors(r.errors)).toBe('schemaVersion: must be 1');
  });
  it('names a missing identity field', () => {
    const r = parseWith(ingestBatch, {
      schemaVersion: 1,
      probe: { ...probe, region: undefined },
      results: [],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.field).toBe('probe.region');
  });
});

describe('probe config schema', () => {
  it('fills defaults for a minimal target', () => {
    const r = parseWith(probeConfig, {
      schemaVersion: 1,
      revision: 'r1',
      targets: [{ name: 'web', host: 'web.fly.dev' }],
    });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.targets[0]?.paths).toEqual(['anycast', 'pinned', 'private']);
      expect(r.value.targets[0]?.http.path).toBe('/echo');
      expect(r.value.report.maxBatch).toBe(500);
    }
  });
  it('rejects a too-short interval with the field named', () => {
    const r = parseWith(probeConfig, {
      schemaVersion: 1,
      revision: 'r1',
      targets: [{ name: 'web', intervalMs: 5 }],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors[0]?.field).toBe('targets[0].intervalMs');
      expect(r.errors[0]?.message).toBe('must be at least 100 ms');
    }
  });
  it('says why a duration is refused: its type, its sign, its floor', () => {
    const messages = (intervalMs: unknown) => {
      const r = parseWith(probeConfig, {
        schemaVersion: 1,
        revision: 'r1',
        targets: [{ name: 'web', intervalMs }],
      });
      return r.ok ? [] : r.errors.filter((e) => e.field === 'targets[0].intervalMs').map((e) => e.message);
    };
    expect(messages('15s')).toEqual(['must be a number']);
    expect(messages(Number.POSITIVE_INFINITY)).toEqual(['must be a finite number']);
    expect(messages(-1)).toContain('must not be negative');
    expect(messages(-1)).not.toContain('must be a number');
    expect(messages(99)).toEqual(['must be at least 100 ms']);
    expect(messages(100)).toEqual([]);
  });
});
