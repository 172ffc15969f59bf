import type { Database } from 'better-sqlite3';
import { DurableCommits } from './durable-commits.ts';

/** A write waiting for the next group commit. */
interface PendingWrite {
  /** Runs inside the shared transaction. */
  apply(): void;
  /** Runs after the commit is durable. */
  done(): void;
  fail(error: unknown): void;
}

/**
 * Group commit: writes that arrive in the same event-loop turn share one transaction, and those arriving
 * while the WAL is being synced are committed together when the sync returns (durable-commits.ts); each
 * promise resolves only after its commit is on stable storage, so an answer still means durable.
 */
export class GroupCommit {
  private readonly commits: DurableCommits;
  private pending: PendingWrite[] = [];

  constructor(private readonly db: Database) {
    this.commits = new DurableCommits(db);
  }

  /** Runs `apply` in the next group's transaction; resolves with its value once that commit is durable. */
  write<T>(apply: () => T): Promise<T> {
    return new Promise((resolve, reject) => {
      let value: T;
      this.pending.push({
        apply: () => {
          value = apply();
        },
        done: () => resolve(value),
        fail: reject,
      });
      if (this.pending.length === 1) this.commits.nextCommit(() => this.commitPending());
    });
  }

  /** Commits what is queued and waits for every sync in flight. */
  async close(): Promise<void> {
    this.commitPending();
    await this.commits.close();
  }

  private commitPending(): void {
    const writes = this.pending;
    if (writes.length === 0) return;
    this.pending = [];
    try {
      // IMMEDIATE: the group reads (boot keys) before it writes, and the event loop's connection writes
      // too (rollups, retention); a deferred transaction would fail with SQLITE_BUSY at its first write
      // after a commit there, instead of waiting for the lock.
      const group = this.db.transaction(() => {
        for (const w of writes) w.apply();
      });
      this.commits.write(() => group.immediate());
    } catch (error) {
      // One failing write must not fail its neighbours: retry each in its own transaction.
      if (writes.length === 1) {
        writes[0]!.fail(error);
        return;
      }
      for (const w of writes) {
        this.pending = [w];
        this.commitPending();
      }
      return;
    }
    this.commits.whenDurable((error) => {
      for (const w of writes) error ? w.fail(error) : w.done();
    });
  }
}
