import type { IngestResponse, ProbeResult } from '@flyprobe/shared';
import { Hono } from 'hono';
import { StoreUnavailableError } from '../../store/store.ts';
import { AddressRanges, meshAddressProblem } from '../address-range.ts';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { ApiError, validationError } from '../errors.ts';
import { notifyIngestListeners } from '../ingest-effects.ts';
import { countStoredBatch, IngestRefusal } from '../ingest-metrics.ts';
import { requireRole } from '../middleware/auth.ts';
import { readJsonBody } from '../middleware/body.ts';
import { rateLimit, TokenBuckets } from '../middleware/rate-limit.ts';
import { bindingProblem } from '../probe-binding.ts';
import { IngestWindowRules, parseEnvelope, type ResultRejectReason } from '../result-check.ts';

/** `POST /v1/ingest`: validates each result on its own, stores the valid ones once, reports the rest. */
export function ingestRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const buckets = new TokenBuckets(deps.settings.ingestRatePerSec, deps.settings.ingestBurst);
  const meshRanges = new AddressRanges(deps.settings.meshAllowCidrs);
  const windowRules = new IngestWindowRules(deps.settings.maxFutureSkewMs, deps.settings.rawRetentionMs);
  app.post('/v1/ingest', requireRole('probe'), rateLimit(buckets, deps.now), async (c) => {
    const body = await readJsonBody(c, deps.settings.ingestMaxBytes);
    const envelope = parseEnvelope(body);
    if (!envelope.ok) throw validationError(envelope.errors, 'batch');
    const batch = envelope.value;
    const mismatch = bindingProblem(c.get('caller'), batch.probe, deps.settings.allowUnboundProbes);
    if (mismatch) {
      const forbidden = new ApiError(403, 'forbidden', `${mismatch.field}: ${mismatch.message}`, [mismatch]);
      throw new IngestRefusal('probe_mismatch', forbidden);
    }
    const echoAddress = batch.probe.echoAddress;
    const addressProblem = echoAddress === undefined ? null : meshAddressProblem(echoAddress, meshRanges);
    if (addressProblem) {
      const field = { field: 'probe.echoAddress', message: addressProblem };
      throw new IngestRefusal('mesh_address', validationError([field], 'batch'));
    }
    const receivedAt = deps.now();
    const window = windowRules.at(receivedAt);
    const heartbeatProblem = window.heartbeatProblem(batch.heartbeat);
    if (heartbeatProblem)
      throw new IngestRefusal('future_timestamp', validationError([heartbeatProblem], 'batch'));

    const valid: ProbeResult[] = [];
    const rejected: IngestResponse['rejected'] = [];
    const reasons: ResultRejectReason[] = [];
    const results = batch.results;
    for (let index = 0; index < results.length; index++) {
      const verdict = window.check(results[index]);
      if (verdict.ok) valid.push(verdict.result);
      else {
        rejected.push({ index, reason: verdict.message });
        reasons.push(verdict.reason);
      }
    }

    // Started together so the probe record joins the results' group commit instead of paying its own fsync.
    const [outcome] = await Promise.all([
      valid.length > 0
        ? deps.store.insertResults(batch.probe, valid, receivedAt).catch(unavailable)
        : { inserted: [], duplicate: 0 },
      deps.heartbeats.record(batch.probe, batch.heartbeat, receivedAt),
    ]);

    countStoredBatch(deps.metrics, {
      size: results.length,
      inserted: outcome.inserted,
      duplicate: outcome.duplicate,
      rejected: reasons,
      receivedAt,
    });
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

/** A store that cannot take writes right now answers 503: the probe keeps its results and sends them again. */
function unavailable(error: unknown): never {
  if (error instanceof StoreUnavailableError) throw new ApiError(503, 'unavailable', error.message);
  throw error;
}
