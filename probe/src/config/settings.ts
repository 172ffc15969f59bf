import type { ProbeConfig } from '@flyprobe/shared';

/** Who this probe is; stamped on every batch (the boot id is added at start). */
export interface ProbeIdentitySettings {
  probeId: string;
  region: string;
  machineId: string;
  app?: string;
  imageRef?: string;
  privateIp?: string;
  /** `host:port` of this probe's echo HTTP server as mesh peers should dial it. */
  echoAddress?: string;
  version: string;
}

export interface CollectorSettings {
  /** The preferred collector. */
  url: string;
  /** Collectors to fail over to, in order (the rest of FLYPROBE_COLLECTOR_URL's comma-separated list). */
  fallbackUrls?: string[];
  token: string;
}

export interface EchoSettings {
  enabled: boolean;
  /** 0 binds an ephemeral port (tests). */
  httpPort: number;
  tcpPort: number;
  grpcPort: number;
}

export interface ReporterSettings {
  /** Buffer bound in results; the oldest results are dropped first beyond it. */
  maxBufferResults: number;
  /** Buffer bound in serialized bytes. */
  maxBufferBytes: number;
  /** Exponential backoff with full jitter: first ceiling and largest ceiling. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Consecutive failed sends that open the circuit breaker. */
  breakerThreshold: number;
  /** How long the breaker stays open before one half-open attempt. */
  breakerCooldownMs: number;
  requestTimeoutMs: number;
  /** A heartbeat-only batch is sent when nothing else went out for this long. */
  heartbeatIntervalMs: number;
  /** How long buffered spool writes may wait before one write + fsync. */
  spoolSyncMs: number;
  /** After failing over, how long until the first collector URL is tried first again (default 30 s). */
  failbackMs?: number;
}

export interface ProbeSettings {
  identity: ProbeIdentitySettings;
  /** Absent: local-only mode (results are kept in the buffer and visible on /metrics only). */
  collector?: CollectorSettings;
  bind: string;
  echo: EchoSettings;
  /** 0 binds an ephemeral port; -1 disables the metrics server. */
  metricsPort: number;
  /** DNS server for `*.internal` and `*.flycast` names (private and flycast paths), `ip` or `ip:port`. */
  resolver?: string;
  spoolDir?: string;
  /** Upper bound for stop(): stop checks, flush, close (Fly kill_timeout is 5 s by default). */
  shutdownTimeoutMs: number;
  /** Global cap on concurrently running checks. */
  concurrency: number;
  /** Event-loop delay p99 above which the probe calls itself degraded. */
  degradedLagMs: number;
  /** Share of CPU periods throttled (0-1) in a health window above which the probe is degraded. */
  degradedThrottleRatio: number;
  /** Length of one self-health window (event-loop histogram reset, cgroup delta). */
  healthWindowMs: number;
  reporter: ReporterSettings;
  /** Targets, mesh and report settings used without a collector, and merged under the remote config. */
  localConfig: ProbeConfig;
}
