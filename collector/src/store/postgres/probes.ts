import type { Heartbeat, ProbeIdentity, ProbeSummary } from '@flyprobe/shared';
import type { Queryable } from './pool.ts';

interface ProbeRow {
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

// A batch without a heartbeat ($11 NULL) keeps the last known health and degraded flag.
const UPSERT = `INSERT INTO probes (probe_id, region, machine_id, app, version, boot_id, image_ref, echo_address,
    first_seen, last_seen, degraded, degraded_reason, health)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, coalesce($10::smallint, 0), $11, $12)
  ON CONFLICT (probe_id) DO UPDATE SET
    region = excluded.region, machine_id = excluded.machine_id, app = excluded.app,
    version = excluded.version, boot_id = excluded.boot_id, image_ref = excluded.image_ref,
    echo_address = excluded.echo_address,
    last_seen = greatest(probes.last_seen, excluded.last_seen),
    degraded = coalesce($10::smallint, probes.degraded),
    degraded_reason = CASE WHEN $12::text IS NULL THEN probes.degraded_reason ELSE excluded.degraded_reason END,
    health = coalesce(excluded.health, probes.health)`;

/** The probe registry on PostgreSQL (same rules as sqlite/probes.ts). */
export async function recordProbe(
  c: Queryable,
  identity: ProbeIdentity,
  heartbeat: Heartbeat | undefined,
  at: number,
): Promise<void> {
  await c.query(UPSERT, [
    identity.probeId,
    identity.region,
    identity.machineId,
    identity.app ?? null,
    identity.version,
    identity.bootId,
    identity.imageRef ?? null,
    identity.echoAddress ?? null,
    at,
    heartbeat ? (heartbeat.degraded ? 1 : 0) : null,
    heartbeat?.degradedReason ?? null,
    heartbeat ? JSON.stringify(heartbeat) : null,
  ]);
}

export async function listProbes(c: Queryable): Promise<ProbeSummary[]> {
  const { rows } = await c.query<ProbeRow>(
    'SELECT * FROM probes ORDER BY region COLLATE "C", probe_id COLLATE "C"',
  );
  return rows.map((r) => ({
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
  }));
}
