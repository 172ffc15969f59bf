import { randomUUID } from 'node:crypto';
import type { Heartbeat, ProbeIdentity } from '@flyprobe/shared';
import type { CheckOutput } from '../../checks/core/check.ts';
import type { ReporterSettings } from '../../config/settings.ts';

export function testIdentity(probeId = 'iad-test'): ProbeIdentity {
  return { probeId, region: 'iad', machineId: 'm1', bootId: randomUUID(), version: '0.1.0' };
}

/** Reporter settings with short backoffs so retry tests finish quickly. */
export function fastReporterSettings(overrides: Partial<ReporterSettings> = {}): ReporterSettings {
  return {
    maxBufferResults: 10_000,
    maxBufferBytes: 16 * 1024 * 1024,
    retryBaseMs: 20,
    retryMaxMs: 200,
    breakerThreshold: 1_000,
    breakerCooldownMs: 100,
    requestTimeoutMs: 5_000,
    heartbeatIntervalMs: 60_000,
    spoolSyncMs: 10,
    ...overrides,
  };
}

export function testOutput(target = 'web'): CheckOutput {
  return {
    target,
    path: 'anycast',
    protocol: 'http',
    startedAt: Date.now(),
    latencyMs: 1.5,
    phases: { connect: 0.5, ttfb: 1.5, total: 2 },
    outcome: 'ok',
  };
}

export function staticHeartbeat(): Heartbeat {
  return {
    at: Date.now(),
    uptimeS: 1,
    rssBytes: 1,
    heapUsedBytes: 1,
    eventLoopDelayMs: { p50: 0, p99: 0, max: 0 },
    bufferDepth: 0,
    bufferBytes: 0,
    dropped: {},
    missedRuns: 0,
    degraded: false,
  };
}

/** Waits for `predicate` by polling every 10 ms; rejects after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
