import type { Logger } from '@flyprobe/shared';
import { errorMessage } from '../errors.ts';
import type { MachinesClient } from '../fly/machines-client.ts';

/** Margin over the start wait, so the lease outlives the change it guards; it is released as soon as done. */
const LEASE_MARGIN_SECONDS = 60;

/**
 * Runs `fn` holding the Machine's lease, so a concurrent `fly deploy`, `fly scale` or second flyprobe
 * cannot change the Machine meanwhile; every mutation inside passes the nonce. The lease is released
 * afterwards, also when `fn` fails (a failed release is logged: the lease then expires on its own).
 */
export async function withLease<T>(
  client: MachinesClient,
  lease: { app: string; machineId: string; waitSeconds: number },
  log: Logger,
  fn: (nonce: string) => Promise<T>,
): Promise<T> {
  const { app, machineId } = lease;
  const ttl = Math.min(3600, lease.waitSeconds + LEASE_MARGIN_SECONDS);
  const nonce = await client.acquireLease(app, machineId, ttl, 'flyprobe deploy');
  try {
    return await fn(nonce);
  } finally {
    await client
      .releaseLease(app, machineId, nonce)
      .catch((err: unknown) =>
        log('warn', `releasing the lease on ${machineId} failed: ${errorMessage(err)}`),
      );
  }
}
