import type { Heartbeat, Logger, ProbeIdentity } from '@flyprobe/shared';
import type { ProbeRegistry } from '../store/store.ts';

interface Pending {
  identity: ProbeIdentity;
  heartbeat: Heartbeat | undefined;
  at: number;
}

interface ProbeState {
  key: string;
  writtenAt: number;
  pending?: Pending;
  timer?: NodeJS.Timeout;
}

/** More probes than this and idle entries are forgotten (they are re-created on the next batch). */
const MAX_PROBES = 10_000;

/** What must reach the store at once when it changes: identity, and the degraded flag. */
function significantKey(identity: ProbeIdentity, heartbeat: Heartbeat | undefined): string {
  const { probeId: _id, ...rest } = identity;
  return JSON.stringify([rest, heartbeat?.degraded ?? null, heartbeat?.degradedReason ?? null]);
}

/**
 * Records probe heartbeats, writing each probe at most once per `intervalMs` (each write is a durable
 * commit, and a probe flushing a backlog sends many batches a second). A change of identity or of the
 * degraded flag is written at once; otherwise the latest heartbeat is written at the end of the interval,
 * and `flush` writes whatever is still pending at shutdown.
 */
export class HeartbeatWriter {
  private readonly probes = new Map<string, ProbeState>();

  constructor(
    private readonly store: ProbeRegistry,
    private readonly log: Logger,
    private readonly intervalMs = 1000,
  ) {}

  async record(identity: ProbeIdentity, heartbeat: Heartbeat | undefined, at: number): Promise<void> {
    const key = significantKey(identity, heartbeat);
    const state = this.probes.get(identity.probeId);
    if (!state || state.key !== key || at - state.writtenAt >= this.intervalMs || at < state.writtenAt) {
      if (state?.timer) clearTimeout(state.timer);
      if (!state && this.probes.size >= MAX_PROBES) this.forgetIdle();
      this.probes.set(identity.probeId, { key, writtenAt: at });
      await this.store.recordProbe(identity, heartbeat, at);
      return;
    }
    state.pending = { identity, heartbeat: heartbeat ?? state.pending?.heartbeat, at };
    state.timer ??= setTimeout(() => void this.writePending(identity.probeId), this.intervalMs).unref();
  }

  /** Writes every pending heartbeat now (graceful shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.probes.keys()].map((id) => this.writePending(id)));
  }

  private async writePending(probeId: string): Promise<void> {
    const state = this.probes.get(probeId);
    if (!state) return;
    if (state.timer) clearTimeout(state.timer);
    state.timer = undefined;
    const pending = state.pending;
    if (!pending) return;
    state.pending = undefined;
    state.writtenAt = pending.at;
    try {
      await this.store.recordProbe(pending.identity, pending.heartbeat, pending.at);
    } catch (err) {
      this.log('error', 'recording a probe heartbeat failed', { probeId, error: String(err) });
    }
  }

  private forgetIdle(): void {
    for (const [id, s] of this.probes) if (!s.pending) this.probes.delete(id);
  }
}
