import { positive } from '../alerts/settings.ts';
import { type SourceSettings, sourceSettingsFromEnv } from './sources.ts';

/** Settings every source shares, plus each source's own under its key (see CAUSE_SOURCES). */
export type CauseSettings = SourceSettings & {
  /** Alert windows are widened this far back when looking for causes. */
  lookbackMs: number;
  /** How long cause items are remembered. */
  retentionMs: number;
  timeoutMs: number;
};

/** FLYPROBE_CAUSES_LOOKBACK_MS and every source's variables (each source's `settingsFromEnv`). Throws naming the variable. */
export function causeSettingsFromEnv(env: NodeJS.ProcessEnv): CauseSettings {
  return {
    ...sourceSettingsFromEnv(env),
    lookbackMs: positive(env, 'FLYPROBE_CAUSES_LOOKBACK_MS', 10 * 60_000, 86_400_000),
    retentionMs: 24 * 3_600_000,
    timeoutMs: 10_000,
  };
}
