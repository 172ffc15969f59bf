import type { Heartbeat, ProbeIdentity, ProbeResult } from '@flyprobe/shared';
import type { Database, Statement } from 'better-sqlite3';
import type { RollupRecord } from '../core/rollup-delta.ts';
import { type BlockSelect, RollupReads, selectBlocksSql } from '../core/rollup-reads.ts';
import { RouteReads, routeStatements } from '../core/routes.ts';
import { StoreBase, type StoreParts } from '../core/store-base.ts';
import type { FeedCursor, InsertOutcome, RetentionPolicy, Store } from '../store.ts';
import { SqliteAlertStore } from './alerts.ts';
import { DurableCommits } from './durable-commits.ts';
import { runMigrations } from './migrations.ts';
import { openDatabase } from './open.ts';
import { ProbeTable } from './probes.ts';
import { ResultTable } from './results.ts';
import { Retention } from './retention.ts';
import { RollupWriter } from './rollup-writer.ts';
import { STORE_COMPONENT, STORE_MIGRATIONS } from './schema.ts';
import { TargetTable } from './targets.ts';
import { TokenTable } from './tokens.ts';

export interface SqliteStoreOptions {
  /** Database file; created with its directory's permissions when missing. */
  path: string;
  /** How often the rollup write-behind cache is written back (ms). Reads flush it first regardless. */
  rollupFlushMs?: number;
  /** Upper bound on rollup cells cached in memory (a cell with its sketch is ~1 KB). */
  maxCachedRollups?: number;
  busyTimeoutMs?: number;
  /** Clock for record timestamps (tokens, targets); tests pin it. */
  now?: () => number;
}

/** A write waiting for the next group commit. */
interface PendingWrite {
  /** Runs inside the shared transaction. */
  apply(): void;
  /** Runs after the commit. */
  done(): void;
  fail(error: unknown): void;
}

/** Store on one SQLite file: one collector, the embedded default. */
export class SqliteStore extends StoreBase implements Store {
  readonly dialect = 'sqlite';
  readonly shared = false;
  readonly alerts: SqliteAlertStore;
  protected readonly parts: StoreParts;
  protected readonly now: () => number;
  private readonly results: ResultTable;
  private readonly rollups: RollupWriter;
  private readonly probes: ProbeTable;
  private readonly retention: Retention;
  private readonly flushTimer: NodeJS.Timeout;
  private readonly commits: DurableCommits;
  private pending: PendingWrite[] = [];

  constructor(
    readonly db: Database,
    options: Omit<SqliteStoreOptions, 'path'> = {},
  ) {
    super();
    this.now = options.now ?? Date.now;
    runMigrations(db, STORE_COMPONENT, STORE_MIGRATIONS);
    this.commits = new DurableCommits(db);
    this.results = new ResultTable(db);
    this.rollups = new RollupWriter(db, options.maxCachedRollups);
    this.rollups.recover();
    this.probes = new ProbeTable(db);
    const blocks = new Map<string, Statement>();
    const routes = routeStatements({ from: '@from', to: '@to', target: '@target', path: '@path' });
    const routeStmts = {
      states: db.prepare(routes.states).raw(true),
      shares: db.prepare(routes.shares).raw(true),
    };
    this.parts = {
      results: this.results,
      probes: this.probes,
      tokens: new TokenTable(db),
      targets: new TargetTable(db),
      rollups: new RollupReads((s: BlockSelect) => {
        let stmt = blocks.get(s.table);
        if (!stmt) {
          stmt = db.prepare(selectBlocksSql(s.table, () => '?')).raw(true);
          blocks.set(s.table, stmt);
        }
        return stmt.all(s.target, s.path, s.protocol, s.from, s.to) as Array<[number, Buffer]>;
      }),
      routes: new RouteReads((statement, params) => routeStmts[statement].all(params) as unknown[][]),
    };
    this.alerts = new SqliteAlertStore(db);
    this.retention = new Retention(db, this.rollups, () => this.open);
    this.flushTimer = setInterval(() => this.flushRollups(), options.rollupFlushMs ?? 1000);
    this.flushTimer.unref();
  }

  /**
   * Group commit: batches that arrive in the same event-loop turn (concurrent ingest requests) share one
   * transaction, and those arriving while the WAL is being synced are committed together when the sync returns
   * (durable-commits.ts); each promise resolves only after its commit is on stable storage, so an answer still
   * means durable.
   */
  insertResults(probe: ProbeIdentity, results: ProbeResult[], receivedAt: number): Promise<InsertOutcome> {
    this.assertOpen();
    return new Promise((resolve, reject) => {
      let outcome: InsertOutcome;
      this.enqueue({
        apply: () => {
          outcome = this.results.insert(probe, results, receivedAt);
        },
        done: () => {
          // After the durable commit: a rolled-back batch must not reach the rollups.
          for (const r of outcome.inserted) this.rollups.fold(r.id, r);
          resolve(outcome);
        },
        fail: reject,
      });
    });
  }

  /** Joins the next group commit, so a heartbeat costs no fsync of its own when batches are arriving. */
  recordProbe(identity: ProbeIdentity, heartbeat: Heartbeat | undefined, at: number): Promise<void> {
    this.assertOpen();
    return new Promise((resolve, reject) => {
      this.enqueue({
        apply: () => this.probes.record(identity, heartbeat, at),
        done: resolve,
        fail: reject,
      });
    });
  }

  async prune(now: number, policy: RetentionPolicy): Promise<{ raw: number; rollups: number }> {
    this.assertOpen();
    return this.retention.prune(now, policy);
  }

  async resultsAfter(cursor: FeedCursor | null, limit: number) {
    this.assertOpen();
    if (cursor !== null && !/^\d+$/.test(cursor))
      throw new RangeError(`cursor: "${cursor}" is not a results feed cursor`);
    const { results, lastId } = this.results.after(cursor === null ? null : Number(cursor), limit);
    return { results, cursor: String(lastId) };
  }

  /** One SQLite file has one collector, which therefore always holds every lease (also right after a crash). */
  async acquireLease(_name: string, _holder: string, _ttlMs: number): Promise<boolean> {
    this.assertOpen();
    return true;
  }

  async releaseLease(_name: string, _holder: string): Promise<void> {
    this.assertOpen();
  }

  /** Bulk path: writes whole rollup rows (imports, benchmarks), replacing rows with the same key. */
  async writeRollups(records: readonly RollupRecord[]): Promise<void> {
    this.assertOpen();
    this.rollups.writeRecords(records);
  }

  async compactRollups(): Promise<number> {
    this.assertOpen();
    return this.rollups.flush();
  }

  /** Writes cached rollup rows back now (also done every `rollupFlushMs` and before every read). */
  flushRollups(): void {
    if (this.open) this.rollups.flush();
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.commitPending();
    await this.commits.close();
    clearInterval(this.flushTimer);
    this.rollups.flush();
    this.open = false;
    this.db.close();
  }

  private enqueue(write: PendingWrite): void {
    this.pending.push(write);
    if (this.pending.length === 1) this.commits.nextCommit(() => this.commitPending());
  }

  private commitPending(): void {
    const writes = this.pending;
    if (writes.length === 0) return;
    this.pending = [];
    try {
      this.commits.write(
        this.db.transaction(() => {
          for (const w of writes) w.apply();
        }),
      );
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

  /** Reads see every acknowledged result: the write-behind cache is written back first. */
  protected override beforeRollupRead(): void {
    this.rollups.flush();
  }
}

/** Opens the SQLite file, applies the store's migrations and folds raw rows a crash left out of the rollups. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  const db = openDatabase(options.path, { busyTimeoutMs: options.busyTimeoutMs });
  try {
    return new SqliteStore(db, options);
  } catch (error) {
    db.close();
    throw error;
  }
}
