import type { Dispatcher } from 'undici';
import { undici } from '../../undici.ts';

/** A failed delivery; `retryable` false means retrying cannot help (e.g. 400, 404). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

const MAX_ERROR_BODY = 300;

/** POSTs a body; 2xx is success, 408/429/5xx and network errors are retryable, other statuses are not. */
export async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  dispatcher?: Dispatcher | Promise<Dispatcher>,
): Promise<void> {
  let status: number;
  let text: string;
  try {
    const { request } = await undici();
    const agent = await dispatcher;
    const res = await request(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
      ...(agent ? { dispatcher: agent } : {}),
    });
    status = res.statusCode;
    text = await res.body.text();
  } catch (error) {
    throw new DeliveryError(`POST ${redact(url)} failed: ${(error as Error).message}`, true);
  }
  if (status >= 200 && status < 300) return;
  const retryable = status === 408 || status === 429 || status >= 500;
  throw new DeliveryError(
    `POST ${redact(url)} answered ${status}: ${text.slice(0, MAX_ERROR_BODY)}`,
    retryable,
  );
}

/** Webhook URLs (Slack's especially) embed secrets in the path: log only scheme, host and port. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/...`;
  } catch {
    return '<invalid url>';
  }
}
