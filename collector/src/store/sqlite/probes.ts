import type { Heartbeat, ProbeIdentity, ProbeSummary } from '@flyprobe/shared';
import type { Database, Statement } from 'better-sqlite3';
import { type ProbeRow, probeParams, toProbeSummary } from '../core/probe-row.ts';

/** The probe registry: one row per probe id, refreshed by every batch. */
export class ProbeTable {
  private readonly upsert: Statement;
  private readonly selectAll: Statement;

  constructor(db: Database) {
    // A batch without a heartbeat keeps the last known health and degraded flag.
    this.upsert = db.prepare(`
      INSERT INTO probes (probe_id, region, machine_id, app, version, boot_id, image_ref, echo_address,
        first_seen, last_seen, degraded, degraded_reason, health)
      VALUES (@probeId, @region, @machineId, @app, @version, @bootId, @imageRef, @echoAddress,
        @at, @at, coalesce(@degraded, 0), @degradedReason, @health)
      ON CONFLICT (probe_id) DO UPDATE SET
        region = excluded.region, machine_id = excluded.machine_id, app = excluded.app,
        version = excluded.version, boot_id = excluded.boot_id, image_ref = excluded.image_ref,
        echo_address = excluded.echo_address,
        last_seen = max(probes.last_seen, excluded.last_seen),
        degraded = coalesce(@degraded, probes.degraded),
        degraded_reason = CASE WHEN @health IS NULL THEN probes.degraded_reason ELSE excluded.degraded_reason END,
        health = coalesce(excluded.health, probes.health)`);
    this.selectAll = db.prepare('SELECT * FROM probes ORDER BY region, probe_id');
  }

  record(identity: ProbeIdentity, heartbeat: Heartbeat | undefined, at: number): void {
    this.upsert.run(probeParams(identity, heartbeat, at));
  }

  list(): ProbeSummary[] {
    return (this.selectAll.all() as ProbeRow[]).map(toProbeSummary);
  }
}
