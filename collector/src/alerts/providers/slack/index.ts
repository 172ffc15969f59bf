import type { Receiver } from '../../types.ts';
import { receiverConfigSchema, urlProblem } from '../config.ts';
import { post } from '../post.ts';
import { defineProvider, type Notification, type Provider } from '../provider.ts';
import { redactOneUrl } from '../redact.ts';

const ICON = { firing: ':rotating_light:', resolved: ':white_check_mark:' } as const;

/** The Slack incoming-webhook body for a notification: a text fallback plus blocks with labels and evidence. */
export function slackMessage(n: Notification): { text: string; blocks: unknown[] } {
  const a = n.alert;
  const head = `${ICON[n.kind]} [${n.kind.toUpperCase()}] ${a.rule} (${a.severity}, ${a.scope})`;
  const labels = Object.entries(a.labels)
    .map(([k, v]) => `${k}=\`${v}\``)
    .join('  ');
  const values = Object.entries(a.evidence.values)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  return {
    text: `${head}: ${a.summary}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${head}*\n${a.summary}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: labels }] },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: `evidence: ${values} | alert ${a.id} | event ${n.eventId}`.slice(0, 2900) },
        ],
      },
    ],
  };
}

/** Slack incoming webhook. Slack cannot deduplicate, so a redelivery after a crash may repeat a message. */
export class SlackProvider implements Provider {
  constructor(private readonly opts: { timeoutMs: number }) {}

  async deliver(receiver: Receiver, n: Notification): Promise<void> {
    await post(receiver.url, JSON.stringify(slackMessage(n)), {}, this.opts.timeoutMs);
  }
}

/** FLYPROBE_SLACK_WEBHOOK_URL; the incoming-webhook path is the secret, so it is hidden on read. */
export const slack = defineProvider({
  kind: 'slack',
  env: { url: 'FLYPROBE_SLACK_WEBHOOK_URL' },
  configSchema: receiverConfigSchema(urlProblem),
  redactUrl: (url) => redactOneUrl(url, true),
  create: (ctx) => new SlackProvider({ timeoutMs: ctx.settings.deliveryTimeoutMs }),
});
