import type { Logger } from '@flyprobe/shared';
import type { CollectorMetrics } from '../metrics.ts';
import type { HeartbeatWriter } from '../process/heartbeat-writer.ts';
import type { Lifecycle } from '../process/lifecycle.ts';
import type { CollectorPlugin } from '../process/plugins.ts';
import type { CollectorSettings } from '../settings.ts';
import type { Store } from '../store/store.ts';

/** What the HTTP API needs from the process around it. */
export interface ApiDeps {
  store: Store;
  settings: CollectorSettings;
  metrics: CollectorMetrics;
  lifecycle: Lifecycle;
  plugins: CollectorPlugin[];
  heartbeats: HeartbeatWriter;
  /** Wall clock, injectable for tests. */
  now: () => number;
  log: Logger;
}
