import type { Queryable } from './pool.ts';

/** Takes or renews a lease by the database clock (collectors' clocks may disagree); true when `holder` has it. */
export async function acquireLease(
  c: Queryable,
  name: string,
  holder: string,
  ttlMs: number,
): Promise<boolean> {
  const { rows } = await c.query<{ holder: string }>(
    `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE leases.holder = excluded.holder OR leases.expires_at <= clock_timestamp()
     RETURNING holder`,
    [name, holder, Math.max(1, Math.trunc(ttlMs))],
  );
  return rows[0]?.holder === holder;
}

export async function releaseLease(c: Queryable, name: string, holder: string): Promise<void> {
  await c.query('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
}
