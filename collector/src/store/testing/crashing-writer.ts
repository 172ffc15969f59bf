/**
 * Worker entry for tests: the real SQLite writer thread (writer-worker.ts), which dies right after committing a
 * batch from probe id CRASH_PROBE_ID, where that commit's WAL sync would start, before any answer: a writer crash
 * at the worst moment (rows committed, nothing acknowledged).
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { parentPort } from 'node:worker_threads';
import type { WriterRequest } from '../sqlite/writer-protocol.ts';
import { CRASH_PROBE_ID } from './fixtures.ts';

let crashAtNextSync = false;
const realFdatasyncSync = fs.fdatasyncSync;
fs.fdatasyncSync = ((fd: number) => {
  // Ends this thread at once (nothing after it runs, not even a catch or a finally), exit code 1.
  if (crashAtNextSync) process.exit(1);
  realFdatasyncSync(fd);
}) as typeof fs.fdatasyncSync;
// DurableCommits imports fdatasyncSync by name: the named export follows the patched property.
syncBuiltinESMExports();

// Registered before the writer's own listener: the flag is set before the batch's commit is even scheduled.
parentPort?.on('message', (request: WriterRequest) => {
  if (request.op === 'results' && request.probe.probeId === CRASH_PROBE_ID) crashAtNextSync = true;
});
await import('../sqlite/writer-worker.ts');
