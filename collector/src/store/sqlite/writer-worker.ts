/**
 * Worker thread entry: the SQLite writer. Inserts raw results and probe records, and runs the alert tables'
 * writes, on its own connection with
 * group commit (group-commit.ts, durable-commits.ts: commit with synchronous=OFF, fdatasync of the WAL,
 * PASSIVE checkpoints between commits), and answers each write only after its commit is durable. The event loop keeps HTTP,
 * parsing, validation, rollups and metrics; this thread takes the inserts, the commits and their syncs.
 * Started by writer-thread.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GroupCommit } from './group-commit.ts';
import { openDatabase } from './open.ts';
import { releaseRows } from './packed-rows.ts';
import { ProbeTable } from './probes.ts';
import { ResultInserts } from './result-inserts.ts';
import { preparedOnce, runStatements } from './sql.ts';
import type { WriterData, WriterReply, WriterRequest } from './writer-protocol.ts';

const port = parentPort;
if (!port) throw new Error('writer-worker.ts runs as a worker thread');
const { path, busyTimeoutMs } = workerData as WriterData;
const db = openDatabase(path, { busyTimeoutMs });
const group = new GroupCommit(db);
const inserts = new ResultInserts(db);
const probes = new ProbeTable(db);
const prepare = preparedOnce(db);

function answer(id: number, work: Promise<Float64Array<ArrayBuffer> | null>): void {
  work.then(
    (numbers) => {
      const reply: WriterReply = { id, ok: true, numbers };
      port?.postMessage(reply, numbers ? [numbers.buffer] : []);
    },
    (error: unknown) => {
      const reply: WriterReply = { id, ok: false, error: String(error) };
      port?.postMessage(reply);
    },
  );
}

port.on('message', (request: WriterRequest) => {
  switch (request.op) {
    case 'results': {
      const { probe, receivedAt, rows } = request;
      const work = group.write(() => inserts.insert(probe, rows, receivedAt));
      answer(request.id, work);
      // Settled (durable, or failed after its retry): nothing reads these rows again.
      const release = () => releaseRows(rows);
      work.then(release, release);
      return;
    }
    case 'probe': {
      const { identity, heartbeat, at } = request;
      answer(
        request.id,
        group.write(() => {
          probes.record(identity, heartbeat, at);
          return null;
        }),
      );
      return;
    }
    case 'statements':
      answer(
        request.id,
        group.write(() => Float64Array.from(runStatements(prepare, request.statements))),
      );
      return;
    case 'close':
      // Everything already received is committed and answered first: messages are handled in order.
      void group.close().then(() => {
        db.close();
        port.close();
      });
  }
});
