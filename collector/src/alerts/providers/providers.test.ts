import { describe, expect, it } from 'vitest';
import { alertingSettingsFromEnv } from '../settings.ts';
import { createProviders, PROVIDERS, RECEIVER_KINDS } from './index.ts';

describe('provider registry', () => {
  it('lists each kind once, with its own environment variables', () => {
    expect([...RECEIVER_KINDS]).toEqual(PROVIDERS.map((p) => p.kind));
    expect(new Set(RECEIVER_KINDS).size).toBe(RECEIVER_KINDS.length);
    const vars = PROVIDERS.flatMap((p) => [p.env.url, ...(p.env.secret ? [p.env.secret] : [])]);
    expect(new Set(vars).size).toBe(vars.length);
  });

  it('builds one provider per kind; only the ones that keep state re-send firing alerts', () => {
    const providers = createProviders({
      settings: alertingSettingsFromEnv({}),
      now: Date.now,
      onEndpointError: () => undefined,
    });
    expect(Object.keys(providers).sort()).toEqual([...RECEIVER_KINDS].sort());
    expect(RECEIVER_KINDS.filter((k) => providers[k].refresh !== undefined)).toEqual(['alertmanager']);
  });
});
