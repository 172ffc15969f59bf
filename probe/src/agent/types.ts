import type { Logger, ProbeConfig, ProbeIdentity, ProbeResult } from '@flyprobe/shared';
import type { PollResult } from '../config/remote.ts';
import type { ProbeMetrics } from '../health/metrics.ts';
import type { DropReason } from '../reporter/reporter.ts';
import type { DiscoverRegions } from '../scheduler/region-discovery.ts';
import type { CheckRunner } from '../scheduler/runner.ts';

export interface StartProbeOptions {
  /** Check implementations, one per protocol (default: every check type of ./checks, CHECKS). */
  checks?: readonly CheckRunner[];
  /** TXT-based region discovery (default: ./checks discoverRegions). */
  discoverRegions?: DiscoverRegions;
  /** One line per event worth an operator's attention (default: stderr). */
  log?: Logger;
}

export interface ProbeStats {
  /** Results produced by this boot (the next sequence number). */
  results: number;
  bufferDepth: number;
  bufferBytes: number;
  dropped: Partial<Record<DropReason, number>>;
  missedRuns: number;
  scheduledChecks: number;
  openStreams: number;
  configRevision: string;
  degraded: boolean;
}

export interface RunningProbe {
  identity: ProbeIdentity;
  /** Bound ports of the echo server (absent when disabled). */
  echo?: { httpPort: number; tcpPort: number; grpcPort: number };
  /** Bound port of /metrics and /healthz (absent when disabled). */
  metricsPort?: number;
  metrics: ProbeMetrics;
  /** The config being run (collector's merged with the local file's). */
  config(): ProbeConfig;
  stats(): ProbeStats;
  /** Every stamped result as it is produced; returns an unsubscribe function. */
  onResult(listener: (result: ProbeResult) => void): () => void;
  /** Polls the collector's config now (no-op without a collector). */
  refreshConfig(): Promise<PollResult | undefined>;
  /** Graceful: stop scheduling, end streams, flush within shutdownTimeoutMs, close servers. Idempotent. */
  stop(): Promise<void>;
}
