/**
 * Worker thread entry (plain Node type stripping, no loader): checkpoints the WAL of one SQLite file on
 * request with `synchronous=FULL` (the WAL is synced before pages are copied, the database file after), so
 * the copying and both fsyncs run off the collector's event loop. A PASSIVE checkpoint never blocks the
 * writer, which keeps committing on the main thread meanwhile. Answers each request with null or an error text.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const port = parentPort;
if (!port) throw new Error('checkpointer.ts runs as a worker thread');
const db = new Database((workerData as { path: string }).path);
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
port.on('message', (request: 'checkpoint' | 'close') => {
  if (request === 'close') {
    db.close();
    port.close();
    return;
  }
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    port.postMessage(null);
  } catch (error) {
    port.postMessage(String(error));
  }
});
