import { describe, expect, it } from 'vitest';
import {
  durationParam,
  formatDuration,
  integerParam,
  parseDuration,
  routedPathParam,
  timeParam,
} from './query.ts';
import { ROLES, roleAllows } from './route.ts';

const message = (r: { success: boolean; error?: { issues: { message: string }[] } }) =>
  r.error?.issues[0]?.message;

describe('query parameters of the contract', () => {
  it('reads durations with a unit and formats them back in the largest whole unit', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    for (const bad of ['15', 'm', '-5m', '1.5h', '1w', '12345678s'])
      expect(parseDuration(bad)).toBeUndefined();
    expect(formatDuration(86_400_000)).toBe('1d');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(5_400_000)).toBe('90m');
  });

  it('refuses a duration outside its bounds naming them', () => {
    const window = durationParam(60_000, 3_600_000);
    expect(window.parse('30m')).toBe(1_800_000);
    expect(message(window.safeParse('2h'))).toBe('must be between 1m and 1h');
    expect(message(window.safeParse('soon'))).toBe('must be a duration like 90s, 15m, 1h or 7d');
  });

  it('names the routed paths for a path that exists but is not routed, every path otherwise', () => {
    expect(routedPathParam.parse('flycast')).toBe('flycast');
    expect(message(routedPathParam.safeParse('pinned'))).toBe('must be one of anycast, flycast');
    expect(message(routedPathParam.safeParse('zzz'))).toBe(
      'must be one of anycast, pinned, private, flycast, mesh',
    );
  });

  it('takes digits only for integers and epoch ms or RFC 3339 for times', () => {
    const limit = integerParam(1, 1000);
    expect(limit.parse('1000')).toBe(1000);
    for (const bad of ['0', '1001', '1e2', ' 5', '-1'])
      expect(message(limit.safeParse(bad))).toBe('must be an integer from 1 to 1000');
    expect(timeParam.parse('2026-12-01T10:00:00Z')).toBe(Date.UTC(2026, 11, 1, 10));
    expect(timeParam.safeParse('2026-02-31T00:00:00Z').success).toBe(false);
  });
});

describe('roles', () => {
  it('lets admin call what read may, never what only probe may', () => {
    const allowed = (route: readonly (typeof ROLES)[number][]) => ROLES.filter((r) => roleAllows(r, route));
    expect(allowed(['read'])).toEqual(['read', 'admin']);
    expect(allowed(['probe'])).toEqual(['probe']);
    expect(allowed(['admin'])).toEqual(['admin']);
    expect(allowed(['probe', 'admin'])).toEqual(['probe', 'admin']);
  });
});
