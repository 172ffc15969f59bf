import { closeSync, fdatasyncSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from 'better-sqlite3';

/** How often the WAL is checkpointed into the database file (SQLite's own automatic checkpoint is off). */
const CHECKPOINT_MS = 500;

/**
 * Group commits whose fsync runs off the event loop, with `synchronous=FULL` semantics kept.
 *
 * Why: with `synchronous=FULL` SQLite fsyncs the WAL inside every commit, before the transaction is done with.
 * Here a group's transaction commits with `synchronous=OFF` (its frames are written to the WAL, not synced),
 * and the WAL is fdatasync'ed right after, once the code that committed has returned (never inside it);
 * `whenDurable` callbacks run only after a sync that started after their commit has returned, so an
 * acknowledged result is on stable storage exactly as with FULL. Writes that arrive while a sync runs are
 * committed together when it returns, and share the next sync.
 *
 * The sync is a blocking fdatasync on the calling thread, so this runs only on the store's writer thread
 * (writer-worker.ts), never on the event loop: that thread has nothing to do until the sync returns (the held
 * writes wait for it by design). On libuv's thread pool the same sync cost two cross-thread wake-ups more (the
 * pool thread's, then this thread's for the callback): ~0.25 ms against ~0.17 ms in a worker on an idle
 * machine, and more on a busy one, all of it on the writer's serial chain (insert, commit, sync) that bounds
 * ingest.
 *
 * Checkpoints: an automatic checkpoint inside an OFF commit would copy frames into the database file without
 * syncing it, and the WAL could then be overwritten before those pages reach the disk. So the automatic
 * checkpoint is off, and every CHECKPOINT_MS a PASSIVE checkpoint runs between commits with
 * `synchronous=FULL` (SQLite syncs the WAL before copying and the database after), which is also what lets
 * the WAL restart and stay small. It runs on the calling thread: the store's writer thread
 * (writer-worker.ts), already off the event loop; a checkpointer thread of its own measured the same
 * throughput and ~14 MiB more RSS (`pnpm bench:collector-ingest`).
 *
 * Every other write on the connection keeps `synchronous=FULL` and its own fsync.
 */
export class DurableCommits {
  /** The WAL this class syncs itself; undefined when commits keep SQLite's own syncing. */
  private readonly walPath: string | undefined;
  private wal: number | undefined;
  /** Callbacks of commits written since the running sync started. */
  private waiting: ((error?: Error) => void)[] = [];
  /** Group commits asked for while a sync runs: they run, as one, when it returns. */
  private deferred: (() => void)[] = [];
  private syncing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly db: Database) {
    // Without a WAL file to sync (in-memory, temporary, or a file system that refused WAL mode) commits keep
    // SQLite's own syncing and `whenDurable` calls back at once.
    const wal = !db.memory && db.name !== '' && db.pragma('journal_mode', { simple: true }) === 'wal';
    this.walPath = wal ? `${db.name}-wal` : undefined;
    if (wal) db.pragma('wal_autocheckpoint = 0');
    this.timer = setInterval(() => void this.checkpoint(), CHECKPOINT_MS);
    this.timer.unref();
  }

  /** Runs one write transaction without SQLite's own fsync; throws what the transaction throws. */
  write(transaction: () => void): void {
    if (this.walPath === undefined) {
      transaction();
      return;
    }
    // exec, not a prepared statement: SQLite applies this pragma when it compiles it, not when it runs.
    this.db.exec('PRAGMA synchronous = OFF');
    try {
      transaction();
    } finally {
      this.db.exec('PRAGMA synchronous = FULL');
    }
  }

  /**
   * Schedules the next group commit: in the next turn when no sync runs, else as soon as the running sync
   * returns. Writes keep arriving meanwhile, so a group grows while the disk is busy: fewer, larger
   * transactions (each rewrites the tail pages of every index into the WAL) and fewer fsyncs.
   */
  nextCommit(commit: () => void): void {
    if (this.syncing) this.deferred.push(commit);
    else setImmediate(commit);
  }

  /** Calls `done` once everything written so far is on stable storage (or with the error that prevented it). */
  whenDurable(done: (error?: Error) => void): void {
    if (this.walPath === undefined) {
      done();
      return;
    }
    this.waiting.push(done);
    if (!this.syncing) this.syncing = this.syncLoop();
  }

  /**
   * Copies the WAL into the database file, syncing both (FULL: this runs outside write()), so the WAL can
   * restart from its beginning. A PASSIVE checkpoint skips frames a reader still needs instead of waiting.
   */
  checkpoint(): Promise<void> {
    if (this.walPath !== undefined && this.db.open) this.db.pragma('wal_checkpoint(PASSIVE)');
    return Promise.resolve();
  }

  /** Waits for the syncs in flight; the connection stays open (its close checkpoints). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.syncing;
    if (this.wal !== undefined) closeSync(this.wal);
    this.wal = undefined;
  }

  private async syncLoop(): Promise<void> {
    // The sync blocks this thread: first let the code that committed return (no answer inside it).
    await Promise.resolve();
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      const error = this.syncWal();
      for (const done of batch) done(error);
      // The held commits run synchronously for milliseconds: first let the answers just resolved go out
      // (their promise reactions run before the next turn) and let writes that reached this thread meanwhile
      // join the group. Their commits call whenDurable, which queues them for the next round of this loop.
      await new Promise(setImmediate);
      const commits = this.deferred;
      this.deferred = [];
      for (const commit of commits) commit();
    }
    this.syncing = undefined;
  }

  /** Syncs the WAL, on this thread; returns the error that prevented it. */
  private syncWal(): Error | undefined {
    try {
      fdatasyncSync(this.openWal());
      return undefined;
    } catch (error) {
      return error as Error;
    }
  }

  /** The WAL, opened once (after the first commit created it); its directory entry is synced once too. */
  private openWal(): number {
    if (this.wal === undefined) {
      const path = this.walPath as string;
      this.wal = openSync(path, 'r');
      const dir = openSync(dirname(path), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    }
    return this.wal;
  }
}
