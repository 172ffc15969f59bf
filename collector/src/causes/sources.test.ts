import { describe, expect, it } from 'vitest';
import { causeSettingsFromEnv } from './settings.ts';
import { CAUSE_SOURCES, createSources } from './sources.ts';

const common = { timeoutMs: 1000, retentionMs: 60_000, now: Date.now };

describe('cause source registry', () => {
  it('gives each source its own settings key', () => {
    const keys = CAUSE_SOURCES.map((m) => m.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(Object.keys(causeSettingsFromEnv({})).sort()).toEqual(
      [...keys, 'lookbackMs', 'retentionMs', 'timeoutMs'].sort(),
    );
  });

  it('builds only the sources the environment turns on, in list order', () => {
    const names = (env: NodeJS.ProcessEnv) =>
      createSources(causeSettingsFromEnv(env), common).map((s) => s.name);
    expect(names({})).toEqual(['pressure']);
    expect(names({ FLYPROBE_CAUSES_PRESSURE: 'off' })).toEqual([]);
    expect(
      names({
        FLYPROBE_TARGET_FLY_TOKEN: 'token-0123456789',
        FLYPROBE_TARGET_APP: 'web',
        FLYPROBE_STATUS_PAGE_URL: 'http://127.0.0.1:9',
      }),
    ).toEqual(['machine-events', 'status-page', 'pressure']);
  });

  it('names the bad variable of any source', () => {
    expect(() => causeSettingsFromEnv({ FLYPROBE_CAUSES_PRESSURE: 'maybe' })).toThrow(
      'FLYPROBE_CAUSES_PRESSURE: must be on or off, got "maybe"',
    );
    expect(() =>
      causeSettingsFromEnv({
        FLYPROBE_TARGET_FLY_TOKEN: 't',
        FLYPROBE_TARGET_APP: 'w',
        FLY_FLAPS_BASE_URL: 'x',
      }),
    ).toThrow(/^FLY_FLAPS_BASE_URL: must be an http\(s\) URL/);
  });
});
