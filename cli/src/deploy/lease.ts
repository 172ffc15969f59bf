import { errorMessage } from '../errors.ts';
import type { MachinesClient } from '../fly/machines-client.ts';

/** Long enough for one update plus the wait for its restart; the lease is released as soon as it is done. */
export const LEASE_TTL_SECONDS = 120;

/**
 * Runs `fn` holding the Machine's lease, so a concurrent `fly deploy`, `fly scale` or second flyprobe
 * cannot change the Machine meanwhile; every mutation inside passes the nonce. The lease is released
 * afterwards, also when `fn` fails (a failed release is logged: the lease then expires on its own).
 */
export async function withLease<T>(
  client: MachinesClient,
  app: string,
  machineId: string,
  log: (line: string) => void,
  fn: (nonce: string) => Promise<T>,
): Promise<T> {
  const nonce = await client.acquireLease(app, machineId, LEASE_TTL_SECONDS, 'flyprobe deploy');
  try {
    return await fn(nonce);
  } finally {
    await client
      .releaseLease(app, machineId, nonce)
      .catch((err: unknown) => log(`releasing the lease on ${machineId} failed: ${errorMessage(err)}`));
  }
}
