import {
  compileAcceptor,
  type FieldError,
  formatFieldErrors,
  type Heartbeat,
  type IngestEnvelope,
  ingestEnvelope,
  type Parsed,
  type ProbeResult,
  parseWith,
  probeResult,
  toFieldErrors,
} from '@flyprobe/shared';
import { truncate } from './errors.ts';
import { formatDuration } from './validation.ts';

/**
 * The ingest validation layer: the shared zod schema `probeResult`, then the collector's time window.
 *
 * Why compiled: zod copies every object it validates and costs a few microseconds per result, a large share
 * of the ingest CPU. `isValidResult` is compiled from that same schema at startup (compileAcceptor) and
 * allocates nothing; zod itself runs only to explain a refusal, so the 400 body names the field and reason
 * exactly as zod does. result-check.test.ts holds both to the same verdict.
 */
export const isValidResult = compileAcceptor(probeResult);
const isValidEnvelope = compileAcceptor(ingestEnvelope);

/** The batch around its results (identity, heartbeat, at most MAX_BATCH_RESULTS entries), the same way. */
export function parseEnvelope(body: unknown): Parsed<IngestEnvelope> {
  return isValidEnvelope(body) ? { ok: true, value: body } : parseWith(ingestEnvelope, body);
}

/** Longest rejection reason per result (a result with a thousand unknown keys names only some). */
const MAX_REASON = 300;

/** Why one result of a stored batch was rejected (the `reason` label of the rejects counter). */
export type ResultRejectReason = 'invalid_result' | 'future_timestamp' | 'past_retention';

export type ResultVerdict =
  | { ok: true; result: ProbeResult }
  | { ok: false; reason: ResultRejectReason; message: string };

/**
 * The times a batch may carry, fixed at receipt: nothing further ahead than the allowed clock skew, and no
 * result older than raw retention (acknowledging it would be a lie: retention would delete it within a minute).
 */
export class IngestWindow {
  private readonly futureLimit: number;
  private readonly retainedFrom: number;

  constructor(
    private readonly rules: IngestWindowRules,
    receivedAt: number,
  ) {
    this.futureLimit = receivedAt + rules.maxFutureSkewMs;
    this.retainedFrom = receivedAt - rules.rawRetentionMs;
  }

  /** The heartbeat's timestamp problem, as the field error of a 400, or undefined. */
  heartbeatProblem(heartbeat: Heartbeat | undefined): FieldError | undefined {
    if (heartbeat === undefined || heartbeat.at <= this.futureLimit) return undefined;
    return { field: 'heartbeat.at', message: this.rules.futureMessage };
  }

  /** Validates one wire result: the schema first (fast path, zod to explain), then its timestamps. */
  check(raw: unknown): ResultVerdict {
    let result: ProbeResult;
    if (isValidResult(raw)) result = raw;
    else {
      const parsed = probeResult.safeParse(raw);
      if (!parsed.success) {
        const message = truncate(formatFieldErrors(toFieldErrors(parsed.error)), MAX_REASON);
        return { ok: false, reason: 'invalid_result', message };
      }
      result = parsed.data;
    }
    const future = this.futureField(result);
    if (future)
      return { ok: false, reason: 'future_timestamp', message: `${future}: ${this.rules.futureMessage}` };
    if (result.startedAt < this.retainedFrom)
      return { ok: false, reason: 'past_retention', message: this.rules.retentionMessage };
    return { ok: true, result };
  }

  /** Names the first timestamp of a result that lies too far in the future, or undefined. */
  private futureField(r: ProbeResult): string | undefined {
    const limit = this.futureLimit;
    if (r.startedAt > limit) return 'startedAt';
    if (r.echo && r.echo.receivedAt > limit) return 'echo.receivedAt';
    if (r.echo && r.echo.startedAt > limit) return 'echo.startedAt';
    if (r.stream && r.stream.openedAt > limit) return 'stream.openedAt';
    return undefined;
  }
}

/** The collector settings behind every IngestWindow, with their messages formatted once. */
export class IngestWindowRules {
  readonly futureMessage: string;
  readonly retentionMessage: string;

  constructor(
    readonly maxFutureSkewMs: number,
    readonly rawRetentionMs: number,
  ) {
    this.futureMessage = `must not be more than ${Math.round(maxFutureSkewMs / 60_000)} minutes in the future`;
    this.retentionMessage = `startedAt: older than the raw retention of ${formatDuration(rawRetentionMs)}`;
  }

  at(receivedAt: number): IngestWindow {
    return new IngestWindow(this, receivedAt);
  }
}
