import type { NetworkPath, ProbeResult, Protocol, RegionCode } from '@flyprobe/shared';

/** A result before the reporter stamps it with its sequence number. */
export type CheckOutput = Omit<ProbeResult, 'seq'>;

/** Phases a per-phase time limit can apply to (`ttfb` lasts until the response head is complete). */
export type LimitedPhase = 'dns' | 'connect' | 'tls' | 'ttfb' | 'transfer' | 'echo';

/** Everything one measurement needs; the scheduler builds one per (target, path, protocol, region). */
export interface CheckSpec {
  /** Target name (or `mesh`) as reported. */
  target: string;
  path: NetworkPath;
  /** Forced region (pinned), private region or peer region (mesh). */
  targetRegion?: RegionCode;
  /** Mesh peer probe id. */
  peer?: string;
  /** Host name or IP literal to connect to (IPv6 without brackets). */
  host: string;
  port: number;
  /** HTTP request path, for http checks (default `/`). */
  httpPath?: string;
  tls?: boolean;
  /** Accept any server certificate (self-signed lab targets). */
  tlsInsecure?: boolean;
  /** HTTP/2: offered by ALPN over TLS, prior knowledge (h2c) over cleartext. */
  http2?: boolean;
  /** Extra request headers (fly-force-region is added by the http check for the pinned path). */
  headers?: Record<string, string>;
  /** DNS resolver to use instead of the system one (`fdaa::3` on Fly): IP, `host:port` or `[v6]:port`. */
  resolver?: string;
  /** Limit for the whole measurement (for a tick stream: for opening it, up to its response headers). */
  timeoutMs: number;
  /** Optional limits per phase; each phase is always bounded by what is left of `timeoutMs`. */
  phaseTimeoutMs?: Partial<Record<LimitedPhase, number>>;
  /** Most response body bytes read (default 64 KiB); the rest is discarded and the connection closed. */
  maxBodyBytes?: number;
  expectStatus?: number[];
  /** HTTP only: reuse one connection per check across runs (phases dns/connect/tls then appear only on reconnects). */
  keepAlive?: boolean;
  /** gRPC tick streams: server tick interval (default 1000 ms). */
  tickIntervalMs?: number;
  /** gRPC tick streams: how often an open stream emits a `sample` (default 15 s). */
  sampleIntervalMs?: number;
  /** gRPC tick streams: a gap without ticks this long ends the stream as `stall` (default max(5 s, 5 ticks)). */
  stallAfterMs?: number;
}

/** One protocol's measurement. `run` never throws: every failure is an outcome with an error class. */
export interface Check {
  readonly protocol: Protocol;
  run(spec: CheckSpec, signal?: AbortSignal): Promise<CheckOutput>;
}

/** A long-lived measurement (gRPC tick streams) that emits results while it is open and when it ends. */
export interface StreamCheck {
  readonly protocol: Protocol;
  /** Opens the stream and resolves when it ends (or `signal` aborts); calls `emit` for each sample and the end. */
  hold(spec: CheckSpec, emit: (output: CheckOutput) => void, signal: AbortSignal): Promise<void>;
}
