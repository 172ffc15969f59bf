import type {
  MeshPeer,
  NetworkPath,
  ProbeResult,
  Protocol,
  RegionCode,
  TargetConfig,
} from '@flyprobe/shared';
import type { z } from 'zod';

/** A result before the reporter stamps it with its sequence number. */
export type CheckOutput = Omit<ProbeResult, 'seq'>;

/** Phases a per-phase time limit can apply to (`ttfb` lasts until the response head is complete). */
export type LimitedPhase = 'dns' | 'connect' | 'tls' | 'ttfb' | 'transfer' | 'echo';

/**
 * What every measurement needs, whatever its protocol; each check type adds its own options in its
 * spec (checks/<protocol>/spec.ts), and `protocol` tells the variants apart.
 */
export interface SpecBase {
  protocol: Protocol;
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
  /** DNS resolver to use instead of the system one (`fdaa::3` on Fly): IP, `host:port` or `[v6]:port`. */
  resolver?: string;
  /** Limit for the whole measurement (for a tick stream: for opening it, up to its response headers). */
  timeoutMs: number;
  /** Optional limits per phase; each phase is always bounded by what is left of `timeoutMs`. */
  phaseTimeoutMs?: Partial<Record<LimitedPhase, number>>;
}

/** One protocol's measurement. `run` never throws: every failure is an outcome with an error class. */
export interface Check<S extends SpecBase = SpecBase> {
  readonly protocol: S['protocol'];
  run(spec: S, signal?: AbortSignal): Promise<CheckOutput>;
}

/** A long-lived measurement (gRPC tick streams) that emits results while it is open and when it ends. */
export interface StreamCheck<S extends SpecBase = SpecBase> {
  readonly protocol: S['protocol'];
  /** Opens the stream and resolves when it ends (or `signal` aborts); calls `emit` for each sample and the end. */
  hold(spec: S, emit: (output: CheckOutput) => void, signal: AbortSignal): Promise<void>;
}

/** Where one target is measured: the fields the plan builder fills the same way for every protocol. */
export interface TargetPlacement {
  target: TargetConfig;
  /** `target`, `path`, `targetRegion`, `host`, `port` (public or private), `timeoutMs`, `resolver`. */
  base: Omit<SpecBase, 'protocol'>;
  /** Private and flycast: resolved over 6PN DNS and spoken in plaintext. */
  over6pn: boolean;
}

/** The ports of the echo server (probe/src/echo), one per protocol it answers. */
export interface EchoPorts {
  http: number;
  tcp: number;
  grpc: number;
}

/** One mesh peer to measure with this protocol. */
export interface MeshPlacement {
  peer: MeshPeer;
  /** The peer's echo HTTP address (`peer.address`, parsed). */
  address: { host: string; port: number };
  /** This probe's echo server ports: peers of one deployment listen on the same ones. */
  echoPorts: EchoPorts;
  /** `target`, `path`, `targetRegion`, `peer`, `timeoutMs`, `resolver`. */
  base: Omit<SpecBase, 'protocol' | 'host' | 'port'>;
}

/** What a check type measures for one placement: a periodic check, and long-lived streams if it holds any. */
export interface PlannedSpecs<S extends SpecBase> {
  check: S;
  streams?: { spec: S; count: number; maxLifetimeMs: number };
}

/**
 * One check type: its folder under checks/ holds all of it, and checks/index.ts lists it. The plan
 * builder, scheduler and agent only go through this interface.
 */
export interface CheckModule<S extends SpecBase> extends Check<S> {
  /** Its section of a target (`targets[].<protocol>`), defined in @flyprobe/shared so the collector validates it too. */
  readonly configSchema: z.ZodType;
  /** The measurements of one target on one path and region; undefined when the protocol cannot take that path. */
  plan(placement: TargetPlacement): PlannedSpecs<S> | undefined;
  /** The measurement of one mesh peer, or a warning saying why there is none. */
  planMesh(placement: MeshPlacement): S | { warning: string };
  /** Present for check types that hold long-lived streams (planned in `PlannedSpecs.streams`). */
  hold?(spec: S, emit: (output: CheckOutput) => void, signal: AbortSignal): Promise<void>;
}
