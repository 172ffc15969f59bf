import { machineEvents } from './machine-events/index.ts';
import { pressure } from './pressure/index.ts';
import type { CauseSourceModule, SourceCommon } from './source-module.ts';
import { statusPage } from './status-page/index.ts';
import type { CauseSource } from './types.ts';

/** Every cause source, in the order their causes are listed when two share a time. Add a source here. */
export const CAUSE_SOURCES = [machineEvents, statusPage, pressure] as const;

type Module = (typeof CAUSE_SOURCES)[number];
/** Each source's settings under its key (`machines`, `statusPage`, `pressure`). */
export type SourceSettings = {
  [M in Module as M['key']]: M extends { settingsFromEnv(env: NodeJS.ProcessEnv): infer C } ? C : never;
};

export function sourceSettingsFromEnv(env: NodeJS.ProcessEnv): SourceSettings {
  return Object.fromEntries(CAUSE_SOURCES.map((m) => [m.key, m.settingsFromEnv(env)])) as SourceSettings;
}

/** The sources the settings turn on. */
export function createSources(settings: SourceSettings, common: SourceCommon): CauseSource[] {
  return CAUSE_SOURCES.map((m) => build(m, settings, common)).filter(
    (s): s is CauseSource => s !== undefined,
  );
}

function build<K extends string, C>(
  m: CauseSourceModule<K, C>,
  settings: Record<K, C>,
  common: SourceCommon,
): CauseSource | undefined {
  return m.create(settings[m.key], common);
}
