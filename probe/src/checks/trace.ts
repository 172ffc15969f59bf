import { randomBytes } from 'node:crypto';

export interface TraceContext {
  traceId: string;
  /** W3C `traceparent` header value (sampled). */
  traceparent: string;
}

/** A fresh W3C trace context per measurement so a result can be found in the target's traces. */
export function newTraceContext(): TraceContext {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${spanId}-01` };
}
