import { z } from 'zod';
import { count, MAX_BATCH_RESULTS, SCHEMA_VERSION } from './common.ts';
import { heartbeat } from './heartbeat.ts';
import { probeIdentity } from './identity.ts';
import { probeResult } from './result.ts';

/** Body of `POST /v1/ingest`. Results are keyed by (probe.probeId, probe.bootId, seq). */
export const ingestBatch = z.strictObject({
  schemaVersion: z.literal(SCHEMA_VERSION, { message: `must be ${SCHEMA_VERSION}` }),
  probe: probeIdentity,
  results: z
    .array(z.unknown())
    .max(MAX_BATCH_RESULTS, { message: `at most ${MAX_BATCH_RESULTS} results per batch` }),
  heartbeat: heartbeat.optional(),
});
/**
 * Results are validated one by one (`probeResult`) so that one bad result is rejected with its index
 * while the rest of the batch is stored.
 */
export type IngestBatch = Omit<z.infer<typeof ingestBatch>, 'results'> & { results: unknown[] };
export const strictIngestBatch = ingestBatch.extend({ results: z.array(probeResult).max(MAX_BATCH_RESULTS) });
export type StrictIngestBatch = z.infer<typeof strictIngestBatch>;

export const ingestResponse = z.strictObject({
  accepted: count,
  duplicate: count,
  rejected: z.array(z.strictObject({ index: count, reason: z.string() })),
});
export type IngestResponse = z.infer<typeof ingestResponse>;
