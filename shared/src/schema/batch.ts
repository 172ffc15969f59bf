import { z } from 'zod';
import { count, MAX_BATCH_RESULTS, SCHEMA_VERSION } from './common.ts';
import { heartbeat } from './heartbeat.ts';
import { probeIdentity } from './identity.ts';
import { probeResult } from './result.ts';

const resultList = <T extends z.ZodType>(item: T) =>
  z.array(item).max(MAX_BATCH_RESULTS, { message: `at most ${MAX_BATCH_RESULTS} results per batch` });

/** Body of `POST /v1/ingest`. Results are keyed by (probe.probeId, probe.bootId, seq). */
export const ingestBatch = z.strictObject({
  schemaVersion: z.literal(SCHEMA_VERSION, { message: `must be ${SCHEMA_VERSION}` }),
  probe: probeIdentity,
  results: resultList(probeResult),
  heartbeat: heartbeat.optional(),
});
export type IngestBatch = z.infer<typeof ingestBatch>;

/**
 * `ingestBatch` as the collector checks it first, each result left for later: results are validated one by
 * one against `probeResult` (the collector's result check) so that one bad result is rejected with its index
 * while the rest of the batch is stored.
 */
export const ingestEnvelope = ingestBatch.extend({ results: resultList(z.unknown()) });
export type IngestEnvelope = z.infer<typeof ingestEnvelope>;

export const ingestResponse = z.strictObject({
  accepted: count,
  duplicate: count,
  rejected: z.array(z.strictObject({ index: count, reason: z.string() })),
});
export type IngestResponse = z.infer<typeof ingestResponse>;
