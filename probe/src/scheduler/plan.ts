import type { CheckSpec } from '../checks/index.ts';

/** One periodic measurement: a spec run every `intervalMs` (jittered). */
export interface PlannedCheck {
  /** Identity of the check across reconfigurations: same key and fingerprint = keep its schedule. */
  key: string;
  fingerprint: string;
  spec: CheckSpec;
  intervalMs: number;
}

/** One long-lived stream held open and reopened when it ends. */
export interface PlannedStream {
  key: string;
  fingerprint: string;
  spec: CheckSpec;
  /** Closed and reopened after this long so stream lifetimes stay bounded. */
  maxLifetimeMs: number;
}

export interface CheckPlan {
  checks: PlannedCheck[];
  streams: PlannedStream[];
  /** Parts of the config that could not be turned into checks, and why. */
  warnings: string[];
}
