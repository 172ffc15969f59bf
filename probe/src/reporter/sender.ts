import { ingestResponse } from '@flyprobe/shared';
import { CollectorAgents, collectorRequest } from './collector-http.ts';
import type { CollectorUrls } from './collector-urls.ts';

export type SendOutcome =
  /** Stored: `rejected` lists result indexes the collector refused (dropped, never retried). */
  | { kind: 'stored'; rejected: { index: number; reason: string }[] }
  /** Refused with per-result reasons that do not cover the batch: drop those, resend the rest. */
  | { kind: 'partial'; status: number; rejected: { index: number; reason: string }[] }
  /** The whole batch was refused as malformed: retrying cannot help. */
  | { kind: 'rejected'; status: number; message: string }
  /** Credentials refused: keep the results and back off until an operator fixes the token. */
  | { kind: 'auth'; status: number }
  | { kind: 'too_large' }
  | { kind: 'retry'; message: string; retryAfterMs?: number };

const MAX_ERROR_BODY = 2048;

/**
 * POSTs one serialized ingest batch and classifies the answer. Never throws. An answer worth retrying
 * (network error, timeout, 5xx, 429) moves on to the next collector URL at once (see CollectorUrls); the
 * last such answer is returned when every collector gave one.
 */
export class IngestSender {
  private readonly agents = new CollectorAgents(2);

  constructor(
    private readonly urls: CollectorUrls,
    private readonly token: string,
    private readonly timeoutMs: number,
  ) {}

  async send(body: string, resultCount: number, signal?: AbortSignal): Promise<SendOutcome> {
    let outcome: SendOutcome = { kind: 'retry', message: 'no collector' };
    for (const url of this.urls.attempts()) {
      if (signal?.aborted) break;
      outcome = await this.sendTo(url, body, resultCount, signal);
      if (outcome.kind !== 'retry') {
        this.urls.succeeded(url);
        return outcome;
      }
      this.urls.failed(url);
    }
    return outcome;
  }

  private async sendTo(
    url: string,
    body: string,
    resultCount: number,
    signal?: AbortSignal,
  ): Promise<SendOutcome> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    try {
      const res = await collectorRequest(this.agents, `${url}/v1/ingest`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        maxBody: MAX_ERROR_BODY * 32,
      });
      return classify(res.status, res.body, res.headers['retry-after'], resultCount);
    } catch (err) {
      return { kind: 'retry', message: describe(err) };
    }
  }

  async close(): Promise<void> {
    this.agents.close();
  }
}

function classify(
  status: number,
  text: string,
  retryAfter: string | string[] | undefined,
  resultCount: number,
): SendOutcome {
  const parsed = parseResponse(text);
  if (status >= 200 && status < 300) return { kind: 'stored', rejected: parsed?.rejected ?? [] };
  if (status === 401 || status === 403) return { kind: 'auth', status };
  if (status === 413) return { kind: 'too_large' };
  if (status === 408 || status === 429 || status === 404 || status >= 500) {
    return { kind: 'retry', message: `HTTP ${status}`, retryAfterMs: retryAfterMs(retryAfter) };
  }
  // Another 4xx: per-result verdicts settle the batch when they account for every result.
  if (parsed && parsed.accepted + parsed.duplicate + parsed.rejected.length === resultCount) {
    return { kind: 'stored', rejected: parsed.rejected };
  }
  if (parsed && parsed.rejected.length > 0) return { kind: 'partial', status, rejected: parsed.rejected };
  return { kind: 'rejected', status, message: text.slice(0, MAX_ERROR_BODY) };
}

function parseResponse(text: string) {
  try {
    const r = ingestResponse.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v || !/^\d+$/.test(v)) return undefined;
  return Math.min(Number(v) * 1000, 300_000);
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: string }).code ?? (err.cause as { code?: string } | undefined)?.code;
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
