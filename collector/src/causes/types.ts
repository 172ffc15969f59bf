import type { AlertCauseView, Heartbeat, ProbeIdentity, RegionCode } from '@flyprobe/shared';
import type { RuleName } from '../detect/types.ts';
import type { StoredResult } from '../store/store.ts';

export type CauseItem = AlertCauseView;

/** Where and when to look for causes of one alert. */
export interface CauseQuery {
  rule: string;
  target?: string;
  /** The served (column) region: where the target's Machines are. */
  region?: RegionCode;
  /** The measuring probe's region. */
  probeRegion?: RegionCode;
  machine?: string;
  /** Padded alert window, Unix epoch ms. */
  from: number;
  to: number;
}

/**
 * One cause source (Fly Machine events, Fly status page, resource pressure). Sources keep what they learn in
 * memory, so attaching causes to an alert is a lookup, never a network call.
 */
export interface CauseSource {
  readonly name: string;
  /** The rules whose alerts this source explains. */
  readonly rules: readonly RuleName[];
  contextFor(query: CauseQuery): CauseItem[];
  /** Stored results and heartbeats, for sources that learn from what probes report. */
  observe?(
    results: StoredResult[],
    batch: { probe: ProbeIdentity; receivedAt: number; heartbeat?: Heartbeat },
  ): void;
  /** Refreshes what the source knows from outside (run by a Poller every `pollIntervalMs`); throws when unreachable. */
  poll?(): Promise<void>;
  readonly pollIntervalMs?: number;
}
