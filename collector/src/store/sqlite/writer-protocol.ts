import type { Heartbeat, ProbeIdentity } from '@flyprobe/shared';
import type { PackedRows } from './packed-rows.ts';

/** Messages between the store (event loop) and its SQLite writer thread (writer-worker.ts). */
export type WriterRequest =
  | { op: 'results'; id: number; probe: ProbeIdentity; receivedAt: number; rows: PackedRows }
  | { op: 'probe'; id: number; identity: ProbeIdentity; heartbeat: Heartbeat | undefined; at: number }
  | { op: 'close' };

/** Each write is answered once, after its commit is durable: new ids (0: duplicate) for results. */
export type WriterReply =
  | { id: number; ok: true; ids: Float64Array<ArrayBuffer> | null }
  | { id: number; ok: false; error: string };

/** What the writer thread is started with. */
export interface WriterData {
  path: string;
  busyTimeoutMs: number;
}
