import { describe, expect, it } from 'vitest';
import { receiversFromEnv, receiverUrlProblem } from '../../receivers.ts';
import { redactUrl } from '../../redact-url.ts';
import { signBody, verifySignature, webhook } from './index.ts';

describe('webhook provider config', () => {
  it('takes FLYPROBE_WEBHOOK_URL with FLYPROBE_WEBHOOK_SECRET as the signing secret', () => {
    expect(
      receiversFromEnv({
        FLYPROBE_WEBHOOK_URL: ' https://hooks.example/flyprobe ',
        FLYPROBE_WEBHOOK_SECRET: 'secret-0123456789abcdef',
      }),
    ).toEqual([
      {
        id: 'env:webhook',
        kind: 'webhook',
        url: 'https://hooks.example/flyprobe',
        secret: 'secret-0123456789abcdef',
        name: 'FLYPROBE_WEBHOOK_URL',
        source: 'env',
        createdAt: 0,
      },
    ]);
    expect(receiversFromEnv({ FLYPROBE_WEBHOOK_URL: 'https://hooks.example/x' })[0]?.secret).toBeNull();
  });

  it('refuses a URL that is not one absolute http(s) URL, naming the variable', () => {
    expect(() => receiversFromEnv({ FLYPROBE_WEBHOOK_URL: 'hooks.example/x' })).toThrow(
      'FLYPROBE_WEBHOOK_URL: "hooks.example/x" is not an absolute URL',
    );
    expect(receiverUrlProblem('webhook', 'ftp://hooks.example/x')).toBe('must be an http or https URL');
    // A replica list is an Alertmanager thing: one webhook URL only.
    expect(receiverUrlProblem('webhook', 'http://a:1,http://b:2')).not.toBeNull();
    expect(webhook.configSchema.safeParse({ url: 'https://hooks.example/x', secret: null }).success).toBe(
      true,
    );
  });

  it('hides credentials and query values but keeps the path on read', () => {
    expect(redactUrl('https://ops:pw@hooks.example/flyprobe?token=abc#frag', 'webhook')).toBe(
      'https://redacted@hooks.example/flyprobe?token=redacted',
    );
    // A Slack URL configured as a plain webhook is still a secret path.
    expect(redactUrl('https://hooks.slack.com/services/T0/B0/xyz', 'webhook')).toBe(
      'https://hooks.slack.com/services/redacted',
    );
  });

  it('signs the raw body so only the exact bytes verify', () => {
    const body = '{"version":1}';
    const signature = signBody('secret-0123456789abcdef', body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature('secret-0123456789abcdef', body, signature)).toBe(true);
    expect(verifySignature('secret-0123456789abcdef', `${body} `, signature)).toBe(false);
    expect(verifySignature('secret-0123456789abcdef', body, undefined)).toBe(false);
  });
});
