import type { NetworkPath, ProbeResult, Protocol, RegionCode } from '@flyprobe/shared';

/** A result before the reporter stamps it with its sequence number. */
export type CheckOutput = Omit<ProbeResult, 'seq'>;

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
  /** HTTP request path, for http checks. */
  httpPath?: string;
  tls?: boolean;
  /** Extra request headers (fly-force-region is added by the http check for the pinned path). */
  headers?: Record<string, string>;
  /** DNS resolver to use instead of the system one (`fdaa::3` on Fly), `host:port` or IP. */
  resolver?: string;
  timeoutMs: number;
  expectStatus?: number[];
  keepAlive?: boolean;
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
