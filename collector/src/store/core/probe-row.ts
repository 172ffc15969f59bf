import type { Heartbeat, ProbeIdentity, ProbeSummary } from '@flyprobe/shared';

/** A `probes` row as both dialects store it. */
export interface ProbeRow {
  probe_id: string;
  region: string;
  machine_id: string;
  app: string | null;
  version: string;
  boot_id: string;
  echo_address: string | null;
  first_seen: number;
  last_seen: number;
  degraded: number;
  degraded_reason: string | null;
  health: string | null;
}

/** The values one batch writes into the registry; `degraded` and `health` are null without a heartbeat. */
export interface ProbeParams {
  probeId: string;
  region: string;
  machineId: string;
  app: string | null;
  version: string;
  bootId: string;
  imageRef: string | null;
  echoAddress: string | null;
  at: number;
  degraded: 0 | 1 | null;
  degradedReason: string | null;
  health: string | null;
}

export function probeParams(
  identity: ProbeIdentity,
  heartbeat: Heartbeat | undefined,
  at: number,
): ProbeParams {
  return {
    probeId: identity.probeId,
    region: identity.region,
    machineId: identity.machineId,
    app: identity.app ?? null,
    version: identity.version,
    bootId: identity.bootId,
    imageRef: identity.imageRef ?? null,
    echoAddress: identity.echoAddress ?? null,
    at,
    degraded: heartbeat ? (heartbeat.degraded ? 1 : 0) : null,
    degradedReason: heartbeat?.degradedReason ?? null,
    health: heartbeat ? JSON.stringify(heartbeat) : null,
  };
}

export function toProbeSummary(r: ProbeRow): ProbeSummary {
  return {
    probeId: r.probe_id,
    region: r.region,
    machineId: r.machine_id,
    app: r.app,
    version: r.version,
    bootId: r.boot_id,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    degraded: r.degraded === 1,
    degradedReason: r.degraded_reason,
    echoAddress: r.echo_address,
    health: r.health === null ? null : (JSON.parse(r.health) as Record<string, unknown>),
  };
}
