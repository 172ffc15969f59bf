import type { Heartbeat, ProbeIdentity, ProbeSummary } from '@flyprobe/shared';
import { type ProbeRow, probeParams, toProbeSummary } from '../core/probe-row.ts';
import type { Queryable } from './pool.ts';

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
  const p = probeParams(identity, heartbeat, at);
  await c.query(UPSERT, [
    p.probeId,
    p.region,
    p.machineId,
    p.app,
    p.version,
    p.bootId,
    p.imageRef,
    p.echoAddress,
    p.at,
    p.degraded,
    p.degradedReason,
    p.health,
  ]);
}

export async function listProbes(c: Queryable): Promise<ProbeSummary[]> {
  const { rows } = await c.query<ProbeRow>(
    'SELECT * FROM probes ORDER BY region COLLATE "C", probe_id COLLATE "C"',
  );
  return rows.map(toProbeSummary);
}
