import type { CauseSource } from './types.ts';

/** What every source is built with besides its own settings. */
export interface SourceCommon {
  timeoutMs: number;
  /** How long cause items are remembered. */
  retentionMs: number;
  now: () => number;
}

/** A cause source: one folder under causes/ and one entry in CAUSE_SOURCES (causes/sources.ts). */
export interface CauseSourceModule<K extends string, C> {
  /** Its field in `CauseSettings`. */
  key: K;
  /** Its settings from FLYPROBE_* variables (null or false: off). Throws naming the bad variable. */
  settingsFromEnv(env: NodeJS.ProcessEnv): C;
  /** The running source, or undefined when its settings turn it off. */
  create(settings: C, common: SourceCommon): CauseSource | undefined;
}

/** Keeps the literal `key` and the settings type, so `CauseSettings` is derived from the list. */
export function defineCauseSource<const K extends string, C>(
  m: CauseSourceModule<K, C>,
): CauseSourceModule<K, C> {
  return m;
}
