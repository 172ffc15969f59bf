import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Receiver } from '../../types.ts';
import { receiverConfigSchema, urlProblem } from '../config.ts';
import { post } from '../post.ts';
import { defineProvider, type Notification, type Provider } from '../provider.ts';
import { redactOneUrl } from '../redact.ts';

export const SIGNATURE_HEADER = 'x-flyprobe-signature';
export const TIMESTAMP_HEADER = 'x-flyprobe-timestamp';
export const EVENT_ID_HEADER = 'x-flyprobe-event-id';

/** Body of a webhook delivery. `timestamp` repeats the timestamp header inside the signed bytes. */
export interface WebhookPayload {
  version: 1;
  eventId: string;
  kind: Notification['kind'];
  /** Unix epoch ms when this attempt was sent. */
  timestamp: number;
  attempt: number;
  alert: Notification['alert'];
}

/** `sha256=<hex>` HMAC-SHA256 of the raw body under the receiver's secret. */
export function signBody(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

/** For receivers: constant-time check of `X-Flyprobe-Signature` against the raw body. */
export function verifySignature(secret: string, rawBody: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, rawBody));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Generic JSON webhook: one POST per notification, signed when the receiver has a secret. */
export class WebhookProvider implements Provider {
  constructor(private readonly opts: { timeoutMs: number; now: () => number }) {}

  async deliver(receiver: Receiver, n: Notification): Promise<void> {
    const timestamp = this.opts.now();
    const payload: WebhookPayload = {
      version: 1,
      eventId: n.eventId,
      kind: n.kind,
      timestamp,
      attempt: n.attempt,
      alert: n.alert,
    };
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
      [EVENT_ID_HEADER]: n.eventId,
      [TIMESTAMP_HEADER]: String(timestamp),
    };
    if (receiver.secret) headers[SIGNATURE_HEADER] = signBody(receiver.secret, body);
    await post(receiver.url, body, headers, this.opts.timeoutMs);
  }
}

/** FLYPROBE_WEBHOOK_URL, signed with FLYPROBE_WEBHOOK_SECRET when set. */
export const webhook = defineProvider({
  kind: 'webhook',
  env: { url: 'FLYPROBE_WEBHOOK_URL', secret: 'FLYPROBE_WEBHOOK_SECRET' },
  configSchema: receiverConfigSchema(urlProblem),
  redactUrl: (url) => redactOneUrl(url),
  create: (ctx) => new WebhookProvider({ timeoutMs: ctx.settings.deliveryTimeoutMs, now: ctx.now }),
});
