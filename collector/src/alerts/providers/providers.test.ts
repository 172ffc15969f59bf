import { RECEIVER_KINDS } from '@flyprobe/shared';
import { describe, expect, it } from 'vitest';
import { alertingSettingsFromEnv } from '../settings.ts';
import { createProviders, PROVIDERS } from './index.ts';

describe('provider registry', () => {
  it('has one provider for each receiver kind of the wire contract, with its own environment variables', () => {
    expect(PROVIDERS.map((p) => p.kind).sort()).toEqual([...RECEIVER_KINDS].sort());
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
