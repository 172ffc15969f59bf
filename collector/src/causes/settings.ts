import { positive } from '../alerts/settings.ts';

export interface CauseSettings {
  /** Alert windows are widened this far back when looking for causes. */
  lookbackMs: number;
  /** How long cause items are remembered. */
  retentionMs: number;
  timeoutMs: number;
  statusPage: { baseUrl: string; pollIntervalMs: number } | null;
  machines: { baseUrl: string; app: string; token: string; pollIntervalMs: number } | null;
  /** Pressure from echo answers and probe heartbeats (no network, on unless FLYPROBE_CAUSES_PRESSURE=off). */
  pressure: boolean;
}

const DEFAULT_STATUS_PAGE = 'https://status.flyio.net';

function httpUrl(name: string, value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new Error(`${name}: must be an http(s) URL, got "${value}"`);
  }
  return value;
}

/**
 * FLYPROBE_STATUS_PAGE_URL (Statuspage v2 base; `off` disables; default https://status.flyio.net on Fly, off
 * elsewhere so a local or test collector makes no internet calls), FLYPROBE_STATUS_PAGE_POLL_MS,
 * FLYPROBE_TARGET_FLY_TOKEN + FLYPROBE_TARGET_APP (Machine events; both or neither), FLY_FLAPS_BASE_URL,
 * FLYPROBE_MACHINES_POLL_MS, FLYPROBE_CAUSES_LOOKBACK_MS, FLYPROBE_CAUSES_PRESSURE. Throws naming the variable.
 */
export function causeSettingsFromEnv(env: NodeJS.ProcessEnv): CauseSettings {
  const page = env.FLYPROBE_STATUS_PAGE_URL?.trim() || (env.FLY_APP_NAME ? DEFAULT_STATUS_PAGE : 'off');
  const token = env.FLYPROBE_TARGET_FLY_TOKEN?.trim();
  const app = env.FLYPROBE_TARGET_APP?.trim();
  if (Boolean(token) !== Boolean(app))
    throw new Error(
      `${token ? 'FLYPROBE_TARGET_APP' : 'FLYPROBE_TARGET_FLY_TOKEN'}: required when ${token ? 'FLYPROBE_TARGET_FLY_TOKEN' : 'FLYPROBE_TARGET_APP'} is set`,
    );
  const pressure = env.FLYPROBE_CAUSES_PRESSURE?.trim().toLowerCase();
  if (pressure && !['on', 'off', 'true', 'false', '1', '0'].includes(pressure))
    throw new Error(`FLYPROBE_CAUSES_PRESSURE: must be on or off, got "${pressure}"`);
  return {
    lookbackMs: positive(env, 'FLYPROBE_CAUSES_LOOKBACK_MS', 10 * 60_000, 86_400_000),
    retentionMs: 24 * 3_600_000,
    timeoutMs: 10_000,
    statusPage:
      page === 'off'
        ? null
        : {
            baseUrl: httpUrl('FLYPROBE_STATUS_PAGE_URL', page),
            pollIntervalMs: positive(env, 'FLYPROBE_STATUS_PAGE_POLL_MS', 120_000, 3_600_000),
          },
    machines:
      token && app
        ? {
            baseUrl: httpUrl(
              'FLY_FLAPS_BASE_URL',
              env.FLY_FLAPS_BASE_URL?.trim() || 'https://api.machines.dev',
            ),
            app,
            token,
            pollIntervalMs: positive(env, 'FLYPROBE_MACHINES_POLL_MS', 30_000, 3_600_000),
          }
        : null,
    pressure: !pressure || ['on', 'true', '1'].includes(pressure),
  };
}
