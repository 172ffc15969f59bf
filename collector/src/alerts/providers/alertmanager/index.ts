import type { AlertView } from '@flyprobe/shared';
import type { Receiver } from '../../types.ts';
import { type Notification, type Provider, post } from '../provider.ts';

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

function alertsUrl(base: string): string {
  return `${base.replace(/\/+$/, '')}/api/v2/alerts`;
}

/** Alertmanager v2 API. It deduplicates by label set, so redelivery and periodic refreshes are harmless. */
export class AlertmanagerProvider implements Provider {
  constructor(private readonly opts: AlertmanagerOptions) {}

  async deliver(receiver: Receiver, n: Notification): Promise<void> {
    const endsAt =
      n.kind === 'resolved'
        ? (n.alert.resolvedAt ?? this.opts.now())
        : this.opts.now() + this.opts.firingTtlMs;
    await post(
      alertsUrl(receiver.url),
      JSON.stringify([toPostableAlert(n.alert, endsAt, this.opts)]),
      {},
      this.opts.timeoutMs,
    );
  }

  /** Re-posts every firing alert so Alertmanager keeps them active (it expires alerts at endsAt otherwise). */
  async refresh(receiver: Receiver, firing: readonly AlertView[]): Promise<void> {
    if (firing.length === 0) return;
    const endsAt = this.opts.now() + this.opts.firingTtlMs;
    const body = JSON.stringify(firing.map((a) => toPostableAlert(a, endsAt, this.opts)));
    await post(alertsUrl(receiver.url), body, {}, this.opts.timeoutMs);
  }
}
