import type { ProbeIdentity } from '@flyprobe/shared';

/** Where a buffered result is persisted, so that settling it can be recorded on disk. */
export interface SpoolRef {
  settle(seq: number): void;
}

/** One stamped result waiting for the collector, kept serialized (smaller than the object graph). */
export interface BufferedResult {
  /** Identity of the boot that produced it; a previous boot's for results recovered from the spool. */
  probe: ProbeIdentity;
  seq: number;
  json: string;
  bytes: number;
  spool?: SpoolRef;
}
