import {
  formatFieldErrors,
  type IngestResponse,
  ingestBatch,
  type ProbeResult,
  parseWith,
  probeResult,
  toFieldErrors,
} from '@flyprobe/shared';
import { Hono } from 'hono';
import { AddressRanges, meshAddressProblem } from '../address-range.ts';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { ApiError, truncate, validationError } from '../errors.ts';
import { notifyIngestListeners, recordMeasurements } from '../ingest-effects.ts';
import { requireRole } from '../middleware/auth.ts';
import { readJsonBody } from '../middleware/body.ts';
import { rateLimit, TokenBuckets } from '../middleware/rate-limit.ts';
import { bindingProblem } from '../probe-binding.ts';
import { isValidResult } from '../result-check.ts';
import { formatDuration } from '../validation.ts';

/** Longest rejection reason per result (a result with a thousand unknown keys names only some). */
const MAX_REASON = 300;

/** Names the first timestamp of a result that lies too far in the future, or undefined. */
function futureTimestamp(r: ProbeResult, limit: number): string | undefined {
  if (r.startedAt > limit) return 'startedAt';
  if (r.echo && r.echo.receivedAt > limit) return 'echo.receivedAt';
  if (r.echo && r.echo.startedAt > limit) return 'echo.startedAt';
  if (r.stream && r.stream.openedAt > limit) return 'stream.openedAt';
  return undefined;
}

/** `POST /v1/ingest`: validates each result on its own, stores the valid ones once, reports the rest. */
export function ingestRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const buckets = new TokenBuckets(deps.settings.ingestRatePerSec, deps.settings.ingestBurst);
  const skewMin = Math.round(deps.settings.maxFutureSkewMs / 60_000);
  const meshRanges = new AddressRanges(deps.settings.meshAllowCidrs);
  const retention = formatDuration(deps.settings.rawRetentionMs);
  app.post('/v1/ingest', requireRole('probe'), rateLimit(buckets, deps.now), async (c) => {
    const body = await readJsonBody(c, deps.settings.ingestMaxBytes);
    const envelope = parseWith(ingestBatch, body);
    if (!envelope.ok) throw validationError(envelope.errors, 'batch');
    const batch = envelope.value;
    const mismatch = bindingProblem(c.get('caller'), batch.probe, deps.settings.allowUnboundProbes);
    if (mismatch) {
      deps.metrics.ingestRejects.inc({ reason: 'probe_mismatch' });
      throw new ApiError(403, 'forbidden', `${mismatch.field}: ${mismatch.message}`, [mismatch]);
    }
    const echoAddress = batch.probe.echoAddress;
    const addressProblem = echoAddress === undefined ? null : meshAddressProblem(echoAddress, meshRanges);
    if (addressProblem) {
      deps.metrics.ingestRejects.inc({ reason: 'mesh_address' });
      throw validationError([{ field: 'probe.echoAddress', message: addressProblem }], 'batch');
    }
    const receivedAt = deps.now();
    const retainedFrom = receivedAt - deps.settings.rawRetentionMs;
    const futureLimit = receivedAt + deps.settings.maxFutureSkewMs;
    if (batch.heartbeat && batch.heartbeat.at > futureLimit) {
      deps.metrics.ingestRejects.inc({ reason: 'future_timestamp' });
      throw validationError(
        [{ field: 'heartbeat.at', message: `must not be more than ${skewMin} minutes in the future` }],
        'batch',
      );
    }

    const valid: ProbeResult[] = [];
    const rejected: IngestResponse['rejected'] = [];
    const results = batch.results;
    for (let index = 0; index < results.length; index++) {
      const raw = results[index];
      let result: ProbeResult;
      // The fast check accepts exactly what zod accepts (see result-check.ts); zod only runs to explain a refusal.
      if (isValidResult(raw)) result = raw;
      else {
        const parsed = probeResult.safeParse(raw);
        if (!parsed.success) {
          rejected.push({
            index,
            reason: truncate(formatFieldErrors(toFieldErrors(parsed.error)), MAX_REASON),
          });
          deps.metrics.ingestRejects.inc({ reason: 'invalid_result' });
          continue;
        }
        result = parsed.data;
      }
      const future = futureTimestamp(result, futureLimit);
      if (future) {
        rejected.push({ index, reason: `${future}: must not be more than ${skewMin} minutes in the future` });
        deps.metrics.ingestRejects.inc({ reason: 'future_timestamp' });
        continue;
      }
      if (result.startedAt < retainedFrom) {
        // Acknowledging it would be a lie: retention would delete it within a minute.
        rejected.push({ index, reason: `startedAt: older than the raw retention of ${retention}` });
        deps.metrics.ingestRejects.inc({ reason: 'past_retention' });
        continue;
      }
      valid.push(result);
    }

    // Started together so the probe record joins the results' group commit instead of paying its own fsync.
    const [outcome] = await Promise.all([
      valid.length > 0
        ? deps.store.insertResults(batch.probe, valid, receivedAt)
        : { inserted: [], duplicate: 0 },
      deps.heartbeats.record(batch.probe, batch.heartbeat, receivedAt),
    ]);

    const m = deps.metrics;
    m.ingestBatches.inc({ status: 'stored' });
    m.batchSize.observe(results.length);
    m.ingestResults.inc({ outcome: 'accepted' }, outcome.inserted.length);
    m.ingestResults.inc({ outcome: 'duplicate' }, outcome.duplicate);
    m.ingestResults.inc({ outcome: 'rejected' }, rejected.length);
    recordMeasurements(deps.metrics, outcome.inserted, receivedAt);
    // Heartbeat-only batches reach listeners too: probe health detectors need them.
    if (outcome.inserted.length > 0 || batch.heartbeat)
      notifyIngestListeners(deps, outcome.inserted, {
        probe: batch.probe,
        receivedAt,
        heartbeat: batch.heartbeat,
      });

    const response: IngestResponse = {
      accepted: outcome.inserted.length,
      duplicate: outcome.duplicate,
      rejected,
    };
    return c.json(response, 200);
  });
  return app;
}
