import { randomBytes } from 'node:crypto';

/** One Machine lease (fly-go MachineLeaseData): nonce, unix-seconds expiry, owner, description, version. */
export interface FakeLease {
  nonce: string;
  expires_at: number;
  owner: string;
  description: string;
  version: string;
}

/**
 * Machine leases as flyd keeps them: at most one unexpired lease per Machine; a second acquire is
 * refused (409) unless it carries the holder's nonce (a refresh); any mutation of a leased Machine must
 * carry the nonce in `fly-machine-lease-nonce`.
 */
export class Leases {
  private readonly byMachine = new Map<string, FakeLease>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The unexpired lease on a Machine, if any. */
  current(machineId: string): FakeLease | undefined {
    const lease = this.byMachine.get(machineId);
    if (lease && lease.expires_at * 1000 <= this.now()) {
      this.byMachine.delete(machineId);
      return undefined;
    }
    return lease;
  }

  acquire(
    machineId: string,
    req: { ttlSeconds: number; owner: string; description: string; version: string; nonce?: string },
  ): { ok: true; lease: FakeLease } | { ok: false; held: FakeLease } {
    const held = this.current(machineId);
    if (held && held.nonce !== req.nonce) return { ok: false, held };
    const lease: FakeLease = {
      nonce: held?.nonce ?? randomBytes(8).toString('hex'),
      expires_at: Math.floor(this.now() / 1000) + req.ttlSeconds,
      owner: req.owner,
      description: req.description,
      version: req.version,
    };
    this.byMachine.set(machineId, lease);
    return { ok: true, lease };
  }

  /** Whether a mutation with this nonce (or none) may proceed. */
  permits(machineId: string, nonce: string | undefined): boolean {
    const held = this.current(machineId);
    return !held || held.nonce === nonce;
  }

  release(machineId: string): void {
    this.byMachine.delete(machineId);
  }
}
