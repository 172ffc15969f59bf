import type { AlertView } from '@flyprobe/shared';
import type { Dispatcher } from 'undici';
import type { Receiver } from '../../types.ts';
import { receiverConfigSchema } from '../config.ts';
import { DeliveryError, post } from '../post.ts';
import { defineProvider, type Notification, type Provider } from '../provider.ts';
import { redactOneUrl } from '../redact.ts';
import { type AlertmanagerEndpoint, alertmanagerUrlList, parseAlertmanagerUrls } from './endpoints.ts';
import { type AlertmanagerTls, tlsAgent } from './tls.ts';

export { type AlertmanagerEndpoint, parseAlertmanagerUrls } from './endpoints.ts';
export { type AlertmanagerTls, alertmanagerTlsFromEnv } from './tls.ts';

/** One element of Alertmanager's `POST /api/v2/alerts` body (postableAlert). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface AlertmanagerOptions {
  timeoutMs: number;
  now: () => number;
  /** A firing alert's endsAt lies this far ahead; the refresh loop re-posts well before it passes. */
  firingTtlMs: number;
  /** Base of generatorURL (`<publicUrl>/v1/alerts/<id>`); omitted when unset. */
  publicUrl: string | null;
  /** TLS for https Alertmanagers (CA, client certificate, skip verify); system defaults when null. */
  tls?: AlertmanagerTls | null;
  /** A replica refused or was unreachable while the notification still counted as delivered. */
  onEndpointError?: (receiver: Receiver, url: string, error: DeliveryError) => void;
}

/** Labels become Alertmanager labels (deduplication key); summary and evidence become annotations. */
export function toPostableAlert(
  a: AlertView,
  endsAt: number,
  opts: Pick<AlertmanagerOptions, 'publicUrl'>,
): PostableAlert {
  const labels: Record<string, string> = { alertname: `flyprobe_${a.rule}`, scope: a.scope };
  for (const [k, v] of Object.entries(a.labels)) if (v !== '') labels[k] = v;
  const alert: PostableAlert = {
    labels,
    annotations: {
      summary: a.summary,
      evidence: JSON.stringify(a.evidence.values),
      window: `${new Date(a.evidence.window.from).toISOString()}/${new Date(a.evidence.window.to).toISOString()}`,
      sample_result_ids: a.evidence.sampleIds.join(','),
      alert_id: a.id,
    },
    startsAt: new Date(a.firedAt ?? a.startsAt).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
  };
  if (opts.publicUrl) alert.generatorURL = `${opts.publicUrl.replace(/\/+$/, '')}/v1/alerts/${a.id}`;
  return alert;
}

/**
 * Alertmanager v2 API. Like Prometheus, every replica of the cluster gets every alert (the cluster
 * deduplicates by label set), and a delivery succeeds when at least one replica accepted it.
 */
export class AlertmanagerProvider implements Provider {
  private agent: Promise<Dispatcher> | undefined;

  constructor(private readonly opts: AlertmanagerOptions) {}

  /** The TLS dispatcher, made at the first delivery (undici loads on first use). */
  private dispatcher(): Promise<Dispatcher> | undefined {
    if (this.opts.tls) this.agent ??= tlsAgent(this.opts.tls);
    return this.agent;
  }

  async deliver(receiver: Receiver, n: Notification): Promise<void> {
    const endsAt =
      n.kind === 'resolved'
        ? (n.alert.resolvedAt ?? this.opts.now())
        : this.opts.now() + this.opts.firingTtlMs;
    await this.postAll(receiver, JSON.stringify([toPostableAlert(n.alert, endsAt, this.opts)]));
  }

  /** Re-posts every firing alert so Alertmanager keeps them active (it expires alerts at endsAt otherwise). */
  async refresh(receiver: Receiver, firing: readonly AlertView[]): Promise<void> {
    if (firing.length === 0) return;
    const endsAt = this.opts.now() + this.opts.firingTtlMs;
    await this.postAll(receiver, JSON.stringify(firing.map((a) => toPostableAlert(a, endsAt, this.opts))));
  }

  private async postAll(receiver: Receiver, body: string): Promise<void> {
    const parsed = parseAlertmanagerUrls(receiver.url);
    if ('problem' in parsed) throw new DeliveryError(`receiver ${receiver.id}: url ${parsed.problem}`, false);
    const outcomes = await Promise.allSettled(
      parsed.endpoints.map((e) =>
        post(
          `${e.url}/api/v2/alerts`,
          body,
          authHeaders(e, receiver.secret),
          this.opts.timeoutMs,
          this.dispatcher(),
        ),
      ),
    );
    const failures: { url: string; error: DeliveryError }[] = [];
    outcomes.forEach((o, i) => {
      if (o.status === 'fulfilled') return;
      const error = o.reason instanceof DeliveryError ? o.reason : new DeliveryError(String(o.reason), true);
      failures.push({ url: parsed.endpoints[i]?.url ?? '', error });
    });
    if (failures.length < outcomes.length) {
      for (const f of failures) this.opts.onEndpointError?.(receiver, f.url, f.error);
      return;
    }
    throw new DeliveryError(
      `every Alertmanager failed: ${failures.map((f) => f.error.message).join('; ')}`,
      failures.some((f) => f.error.retryable),
    );
  }
}

/** Basic auth from the URL, else the receiver secret as a bearer token. */
function authHeaders(e: AlertmanagerEndpoint, secret: string | null): Record<string, string> {
  if (e.basicAuth) {
    const token = Buffer.from(`${e.basicAuth.username}:${e.basicAuth.password}`).toString('base64');
    return { authorization: `Basic ${token}` };
  }
  return secret ? { authorization: `Bearer ${secret}` } : {};
}

/**
 * FLYPROBE_ALERTMANAGER_URL (every replica, comma-separated) with FLYPROBE_ALERTMANAGER_BEARER_TOKEN. A firing
 * alert's endsAt lies four refresh periods ahead, so a missed re-post or two does not resolve it.
 */
export const alertmanager = defineProvider({
  kind: 'alertmanager',
  env: { url: 'FLYPROBE_ALERTMANAGER_URL', secret: 'FLYPROBE_ALERTMANAGER_BEARER_TOKEN' },
  configSchema: receiverConfigSchema((url) => {
    const parsed = parseAlertmanagerUrls(url);
    return 'problem' in parsed ? parsed.problem : null;
  }),
  // Each replica's URL is redacted on its own.
  redactUrl: (url) =>
    alertmanagerUrlList(url)
      .map((one) => redactOneUrl(one))
      .join(','),
  create: (ctx) =>
    new AlertmanagerProvider({
      timeoutMs: ctx.settings.deliveryTimeoutMs,
      now: ctx.now,
      firingTtlMs: 4 * ctx.settings.delivery.alertmanagerRefreshMs,
      publicUrl: ctx.settings.publicUrl,
      tls: ctx.settings.alertmanagerTls,
      onEndpointError: ctx.onEndpointError,
    }),
});
