import { describe, expect, it } from 'vitest';
import { AlertEngine, alertView } from '../../engine.ts';
import { receiversFromEnv } from '../../receivers.ts';
import { redactUrl } from '../../redact-url.ts';
import { finding, tempAlertDb } from '../../testing/alert-db.ts';
import { slackMessage } from './index.ts';

describe('slack provider', () => {
  it('takes FLYPROBE_SLACK_WEBHOOK_URL without a secret', () => {
    const env = {
      FLYPROBE_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/xyz',
      // The webhook's secret is not the Slack receiver's.
      FLYPROBE_WEBHOOK_SECRET: 'secret-0123456789abcdef',
    };
    expect(receiversFromEnv(env).map((r) => [r.id, r.kind, r.secret, r.name])).toEqual([
      ['env:slack', 'slack', null, 'FLYPROBE_SLACK_WEBHOOK_URL'],
    ]);
    expect(() => receiversFromEnv({ FLYPROBE_SLACK_WEBHOOK_URL: 'slack' })).toThrow(
      /^FLYPROBE_SLACK_WEBHOOK_URL: "slack" is not an absolute URL/,
    );
  });

  it('hides the incoming-webhook path, whatever the host', () => {
    expect(redactUrl('https://chat.internal/hooks/T0/B0/xyz?x=1', 'slack')).toBe(
      'https://chat.internal/hooks/redacted?x=redacted',
    );
  });

  it('writes a text fallback and blocks with the labels, evidence, alert and event ids', async () => {
    const db = tempAlertDb();
    const engine = new AlertEngine(db.store, { forMs: () => 0, receivers: async () => [] });
    await engine.apply([finding()], 1_800_000_000_000);
    const [open] = engine.openAlerts();
    db.cleanup();
    if (!open) throw new Error('no alert opened');
    const alert = alertView(open);
    const m = slackMessage({ eventId: 'e-1', kind: 'resolved', alert, attempt: 1 });
    expect(m.text).toBe(
      ':white_check_mark: [RESOLVED] resets (critical, local): web: connection failures in sin',
    );
    const text = JSON.stringify(m.blocks);
    expect(text).toContain('region=`sin`');
    expect(text).toContain('failure_rate: 0.5');
    expect(text).toContain(`alert ${alert.id} | event e-1`);
  });
});
