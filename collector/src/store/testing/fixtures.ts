import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeIdentity, ProbeResult } from '@flyprobe/shared';
import type { AlertRecord } from '../../alerts/types.ts';
import type { Store } from '../store.ts';

/** A fresh directory for one test file's databases; `cleanup` removes it. */
export function tempDir(prefix = 'flyprobe-store-'): {
  dir: string;
  db: (name: string) => string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    db: (name) => join(dir, `${name}.db`),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const T0 = Date.parse('2026-11-25T00:00:00Z');

export function probeIdentity(region: string, overrides: Partial<ProbeIdentity> = {}): ProbeIdentity {
  return {
    probeId: `${region}-1`,
    region,
    machineId: `m${region}`,
    bootId: 'boot-1',
    version: '0.1.0',
    ...overrides,
  };
}

/** An ok pinned HTTP result; override anything. */
export function result(seq: number, overrides: Partial<ProbeResult> = {}): ProbeResult {
  return {
    seq,
    target: 'web',
    path: 'pinned',
    protocol: 'http',
    targetRegion: 'ams',
    startedAt: T0 + seq * 1000,
    latencyMs: 20,
    phases: { connect: 1.5, ttfb: 18, total: 20 },
    outcome: 'ok',
    httpStatus: 200,
    httpVersion: '1.1',
    ...overrides,
  };
}

/** The probe id whose batch makes the test writer thread (crashing-writer.ts) crash after committing it. */
export const CRASH_PROBE_ID = 'crash';

/** Samples in the rollups of the fixtures' cell (pinned HTTP from every probe region), from T0 over `spanMs`. */
export async function rollupSamples(store: Pick<Store, 'matrix'>, spanMs = 3 * 86_400_000): Promise<number> {
  const cells = await store.matrix({
    target: 'web',
    path: 'pinned',
    protocol: 'http',
    metric: 'p50',
    from: T0,
    to: T0 + spanMs,
  });
  return cells.reduce((n, c) => n + c.samples, 0);
}

/** A firing, notified alert; `over` replaces fields. */
export function alertRecord(id: string, over: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id,
    fingerprint: `fp-${id}`,
    rule: 'resets',
    state: 'firing',
    labels: { rule: 'resets', target: 'web', region: 'sin', severity: 'critical' },
    severity: 'critical',
    scope: 'local',
    summary: 'web: connection failures in sin',
    evidence: { values: { failure_rate: 0.5 }, window: { from: 1, to: 2, samples: 10 }, sampleIds: [1, 2] },
    startsAt: T0,
    firedAt: T0 + 1000,
    resolvedAt: null,
    updatedAt: T0 + 1000,
    acknowledgedAt: null,
    acknowledgedBy: null,
    silencedBy: null,
    notified: true,
    ...over,
  };
}
