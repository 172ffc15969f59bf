import type { CollectorMetrics } from '../metrics.ts';
import type { StoredResult } from '../store/store.ts';
import { ApiError, type ApiErrorCode } from './errors.ts';
import type { ResultRejectReason } from './result-check.ts';

/**
 * Every ingest counter is incremented here and nowhere else: a refused batch once with one reason, each
 * rejected result of a stored batch once with one reason, and the stored batch's totals.
 */

/** Why a whole ingest request was refused; a closed set so the label stays bounded. */
export type BatchRefusalReason =
  | 'unauthorized'
  | 'forbidden'
  | 'probe_mismatch'
  | 'rate_limited'
  | 'body_too_large'
  | 'invalid_json'
  | 'invalid_batch'
  | 'mesh_address'
  | 'future_timestamp'
  | 'shutting_down'
  | 'store_unavailable';

/** `flyprobe_collector_ingest_rejects_total{reason}`: refused requests and rejected results. */
export type IngestRejectReason = BatchRefusalReason | ResultRejectReason;

/** The reason of a refusal the error itself does not name, by its API error code. */
const REASON_BY_CODE: Partial<Record<ApiErrorCode, BatchRefusalReason>> = {
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  rate_limited: 'rate_limited',
  payload_too_large: 'body_too_large',
  invalid_json: 'invalid_json',
  validation_failed: 'invalid_batch',
  bad_request: 'invalid_batch',
  unsupported_media_type: 'invalid_batch',
  shutting_down: 'shutting_down',
  unavailable: 'store_unavailable',
};

/** An ingest refusal with a more specific reason than its error code (a wrong probe is not just `forbidden`). */
export class IngestRefusal extends ApiError {
  constructor(
    readonly reason: BatchRefusalReason,
    error: ApiError,
  ) {
    super(error.status, error.code, error.message, error.fields, error.headers);
  }
}

/** Counts a refused ingest request (called by the error handler for every error answer on the route). */
export function countRefusedBatch(metrics: CollectorMetrics, error: ApiError): void {
  const reason = error instanceof IngestRefusal ? error.reason : REASON_BY_CODE[error.code];
  if (reason) metrics.ingestRejects.inc({ reason });
  metrics.ingestBatches.inc({ status: 'refused' });
}

export interface StoredBatch {
  /** Results the batch carried. */
  size: number;
  inserted: readonly StoredResult[];
  duplicate: number;
  /** One reason per rejected result. */
  rejected: readonly ResultRejectReason[];
  receivedAt: number;
}

/** Counts a stored batch: its results by fate, rejections by reason, and measurements by outcome per cell. */
export function countStoredBatch(metrics: CollectorMetrics, batch: StoredBatch): void {
  metrics.ingestBatches.inc({ status: 'stored' });
  metrics.batchSize.observe(batch.size);
  metrics.ingestResults.inc({ outcome: 'accepted' }, batch.inserted.length);
  metrics.ingestResults.inc({ outcome: 'duplicate' }, batch.duplicate);
  metrics.ingestResults.inc({ outcome: 'rejected' }, batch.rejected.length);
  for (const reason of batch.rejected) metrics.ingestRejects.inc({ reason });
  const byOutcome = new Map<string, number>();
  for (const r of batch.inserted) {
    byOutcome.set(r.outcome, (byOutcome.get(r.outcome) ?? 0) + 1);
    metrics.observeResult(r, batch.receivedAt);
  }
  for (const [outcome, n] of byOutcome) metrics.measurements.inc({ outcome }, n);
}
