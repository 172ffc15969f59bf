import type { ProbeSummary } from '@flyprobe/shared';
import { type CollectorClient, unwrapList } from '../collector-api/client.ts';
import { errorMessage } from '../errors.ts';
import { sleep } from '../fly/rate-limiter.ts';

export interface ExpectedProbe {
  region: string;
  machineId: string;
  /** A heartbeat counts only if seen at or after this time (epoch ms). */
  since: number;
}

export interface Confirmation {
  ok: boolean;
  message: string;
}

/**
 * Polls the collector's GET /v1/probes until every expected Machine has a probe that was seen after
 * `since`, or the timeout passes. A probe reporting a different region than its Machine was asked for
 * is a failure: the Machine runs, but not where the matrix will say.
 */
export async function confirmHeartbeats(opts: {
  collector: CollectorClient;
  expected: ExpectedProbe[];
  timeoutMs: number;
  pollMs?: number;
}): Promise<Map<string, Confirmation>> {
  const results = new Map<string, Confirmation>();
  const deadline = Date.now() + opts.timeoutMs;
  let lastError = '';
  while (results.size < opts.expected.length) {
    try {
      const probes = unwrapList<ProbeSummary>(await opts.collector.get('/v1/probes'), 'probes');
      for (const e of opts.expected) {
        if (results.has(e.machineId)) continue;
        const probe = probes
          .filter((p) => p.machineId === e.machineId && p.lastSeen >= e.since)
          .sort((a, b) => b.lastSeen - a.lastSeen)[0];
        if (!probe) continue;
        results.set(
          e.machineId,
          probe.region === e.region
            ? { ok: true, message: `heartbeat from ${probe.probeId}` }
            : {
                ok: false,
                message: `probe ${probe.probeId} on ${e.machineId} reports region ${probe.region}`,
              },
        );
      }
      lastError = '';
    } catch (err) {
      lastError = errorMessage(err);
    }
    if (results.size === opts.expected.length || Date.now() >= deadline) break;
    await sleep(Math.min(opts.pollMs ?? 2000, Math.max(0, deadline - Date.now())));
  }
  const seconds = Math.round(opts.timeoutMs / 1000);
  for (const e of opts.expected) {
    if (!results.has(e.machineId)) {
      results.set(e.machineId, {
        ok: false,
        message: `no heartbeat from ${e.machineId} within ${seconds}s${lastError ? ` (${lastError})` : ''}`,
      });
    }
  }
  return results;
}
