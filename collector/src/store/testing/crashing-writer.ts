/**
 * Worker entry for tests: the real SQLite writer thread (writer-worker.ts), which dies of an uncaught error
 * right after committing a batch from probe id CRASH_PROBE_ID, before that commit's sync returns and before any
 * answer: a writer crash at the worst moment (rows committed, nothing acknowledged).
 */
import { parentPort } from 'node:worker_threads';
import '../sqlite/writer-worker.ts';
import type { WriterRequest } from '../sqlite/writer-protocol.ts';
import { CRASH_PROBE_ID } from './fixtures.ts';

// Registered after the writer's own listener: the batch is queued first, and its commit (scheduled with
// setImmediate before this) runs before the throw.
parentPort?.on('message', (request: WriterRequest) => {
  if (request.op === 'results' && request.probe.probeId === CRASH_PROBE_ID)
    setImmediate(() => {
      throw new Error('writer thread crashed (test)');
    });
});
