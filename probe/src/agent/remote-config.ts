import type { Logger, ProbeConfig } from '@flyprobe/shared';
import { effectiveConfig, RemoteConfig } from '../config/remote.ts';
import type { ProbeSettings } from '../config/settings.ts';
import type { ProbeMetrics } from '../health/metrics.ts';
import type { UndoStack } from './undo.ts';

/** The config being run; replaced when the collector serves a new one. */
export interface ConfigHolder {
  current: ProbeConfig;
}

export interface RemoteConfigDeps {
  config: ConfigHolder;
  /** Called after `config.current` changed. */
  changed: () => void;
  metrics: ProbeMetrics;
  log: Logger;
}

/**
 * Follows the collector's config (merged over the local file's): starts from the cached copy, polls
 * once before returning, then keeps polling. None without a collector.
 */
export async function startRemoteConfig(
  settings: ProbeSettings,
  deps: RemoteConfigDeps,
  undo: UndoStack,
): Promise<RemoteConfig | undefined> {
  if (!settings.collector) return undefined;
  const { config } = deps;
  const remote = new RemoteConfig({
    collector: settings.collector,
    apply: (served) => {
      config.current = effectiveConfig(settings.localConfig, served);
      deps.changed();
    },
    pollMs: () => config.current.configPollMs,
    cacheDir: settings.spoolDir,
    onPoll: (result) => deps.metrics.configUpdates.inc({ result }),
    log: deps.log,
  });
  undo.push(() => remote.stop());
  const cached = await remote.loadCached();
  if (cached) config.current = effectiveConfig(settings.localConfig, cached);
  await remote.pollOnce();
  remote.start();
  return remote;
}
