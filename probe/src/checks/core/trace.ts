import { randomBytes } from 'node:crypto';

export interface TraceContext {
  traceId: string;
  /** W3C `traceparent` header value (sampled). */
  traceparent: string;
}

const ID_BYTES = 16 + 8;
/** Random bytes for this many trace contexts are drawn at once: one randomBytes call per measurement cost ~1.5% CPU. */
const POOL_CONTEXTS = 256;
let pool = Buffer.alloc(0);
let offset = 0;

/** A fresh W3C trace context per measurement so a result can be found in the target's traces. */
export function newTraceContext(): TraceContext {
  if (offset + ID_BYTES > pool.length) {
    pool = randomBytes(ID_BYTES * POOL_CONTEXTS);
    offset = 0;
  }
  const traceId = pool.toString('hex', offset, offset + 16);
  const spanId = pool.toString('hex', offset + 16, offset + ID_BYTES);
  offset += ID_BYTES;
  return { traceId, traceparent: `00-${traceId}-${spanId}-01` };
}
