import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { receiversFromEnv } from '../../receivers.ts';
import { alertmanagerTlsFromEnv } from './tls.ts';

const dir = mkdtempSync(join(tmpdir(), 'flyprobe-am-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Alertmanager settings from the environment', () => {
  it('reads the TLS files and refuses half a client certificate or a bad flag, naming the variable', () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, 'CA PEM');
    expect(alertmanagerTlsFromEnv({})).toBeNull();
    expect(alertmanagerTlsFromEnv({ FLYPROBE_ALERTMANAGER_CA_FILE: ca })).toEqual({
      ca: 'CA PEM',
      cert: undefined,
      key: undefined,
      insecureSkipVerify: false,
    });
    expect(() => alertmanagerTlsFromEnv({ FLYPROBE_ALERTMANAGER_CERT_FILE: ca })).toThrow(
      /^FLYPROBE_ALERTMANAGER_CERT_FILE and FLYPROBE_ALERTMANAGER_KEY_FILE: set both or neither/,
    );
    expect(() => alertmanagerTlsFromEnv({ FLYPROBE_ALERTMANAGER_CA_FILE: join(dir, 'nope') })).toThrow(
      /^FLYPROBE_ALERTMANAGER_CA_FILE: cannot read/,
    );
    expect(() => alertmanagerTlsFromEnv({ FLYPROBE_ALERTMANAGER_INSECURE_SKIP_VERIFY: 'maybe' })).toThrow(
      /^FLYPROBE_ALERTMANAGER_INSECURE_SKIP_VERIFY: must be true or false/,
    );
  });

  it('takes every replica in FLYPROBE_ALERTMANAGER_URL and the bearer token as its secret', () => {
    const [r] = receiversFromEnv({
      FLYPROBE_ALERTMANAGER_URL: 'http://am-0:9093,http://am-1:9093',
      FLYPROBE_ALERTMANAGER_BEARER_TOKEN: 'token-0123456789abcdef',
    });
    expect(r).toMatchObject({
      kind: 'alertmanager',
      url: 'http://am-0:9093,http://am-1:9093',
      secret: 'token-0123456789abcdef',
    });
    expect(() => receiversFromEnv({ FLYPROBE_ALERTMANAGER_URL: 'http://am-0:9093,am-1' })).toThrow(
      /^FLYPROBE_ALERTMANAGER_URL: URL 2 is not an absolute URL/,
    );
  });
});
