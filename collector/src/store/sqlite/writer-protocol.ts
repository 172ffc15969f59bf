import type { Heartbeat, ProbeIdentity, ProbeResult } from '@flyprobe/shared';
import type { ResultsText } from '../store.ts';

/**
 * Messages between the store (event loop) and its SQLite writer thread (writer-worker.ts).
 *
 * A batch's results travel as the JSON text they were parsed from plus the positions of the valid ones: one
 * string copy, parsed again on the writer thread, is far cheaper than a structured clone of 500 objects.
 */
export type ResultsSource = ResultsText | { results: ProbeResult[] };

export type WriterRequest =
  | { op: 'results'; id: number; probe: ProbeIdentity; receivedAt: number; source: ResultsSource }
  | { op: 'probe'; id: number; identity: ProbeIdentity; heartbeat: Heartbeat | undefined; at: number }
  | { op: 'close' };

/** Each write is answered once, after its commit is durable: new ids (0: duplicate) for results. */
export type WriterReply =
  | { id: number; ok: true; ids: Float64Array | null }
  | { id: number; ok: false; error: string };

/** What the writer thread is started with. */
export interface WriterData {
  path: string;
  busyTimeoutMs: number;
}
