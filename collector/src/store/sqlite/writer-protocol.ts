import type { Heartbeat, ProbeIdentity } from '@flyprobe/shared';
import type { Statement } from '../core/sql.ts';
import type { PackedRows } from './packed-rows.ts';

/** Messages between the store (event loop) and its SQLite writer thread (writer-worker.ts). */
export type WriterRequest =
  | { op: 'results'; id: number; probe: ProbeIdentity; receivedAt: number; rows: PackedRows }
  | { op: 'probe'; id: number; identity: ProbeIdentity; heartbeat: Heartbeat | undefined; at: number }
  /** Statements run in order in one transaction, all or none (the alert tables' writes). */
  | { op: 'statements'; id: number; statements: readonly Statement[] }
  | { op: 'close' };

/**
 * Each write is answered once, after its commit is durable, with its numbers: for results each row's new id (0:
 * a duplicate), for statements each one's changed rows, for a probe record none.
 */
export type WriterReply =
  | { id: number; ok: true; numbers: Float64Array<ArrayBuffer> | null }
  | { id: number; ok: false; error: string };

/** What the writer thread is started with. */
export interface WriterData {
  path: string;
  busyTimeoutMs: number;
}
