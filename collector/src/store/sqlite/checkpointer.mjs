/**
 * Worker thread entry: checkpoints the WAL of one SQLite file on request with `synchronous=FULL` (the WAL is
 * synced before pages are copied, the database file after), so the copying and both fsyncs run off the
 * collector's event loop. A PASSIVE checkpoint never blocks the writer, which keeps committing on the main
 * thread meanwhile. Answers each request with null or an error text.
 *
 * Plain JavaScript, not TypeScript: a worker started on a .ts file loads Node's type stripper (a WebAssembly
 * compiler) into its isolate, ~17 MiB of resident memory for these few lines (measured with
 * `pnpm bench:collector-ingest`, whose collector memory line counts it).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const port = parentPort;
if (!port) throw new Error('checkpointer.mjs runs as a worker thread');
const db = new Database(/** @type {{ path: string }} */ (workerData).path);
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
port.on('message', (/** @type {'checkpoint' | 'close'} */ request) => {
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
