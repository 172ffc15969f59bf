import type { Heartbeat, ProbeIdentity, ProbeResult } from '@flyprobe/shared';
import type { Database } from 'better-sqlite3';
import type { RollupRecord } from '../core/rollup-delta.ts';
import { RollupReads } from '../core/rollup-reads.ts';
import { RouteReads, routeStatements } from '../core/routes.ts';
import { StoreBase, type StoreParts } from '../core/store-base.ts';
import type { FeedCursor, InsertOutcome, RetentionPolicy, Store } from '../store.ts';
import { SqliteAlertStore } from './alerts.ts';
import { sqliteSelectBlocks } from './block-select.ts';
import { runMigrations } from './migrations.ts';
import { openDatabase } from './open.ts';
import { packRows } from './packed-rows.ts';
import { ProbeTable } from './probes.ts';
import { insertOutcome } from './result-inserts.ts';
import { ResultTable } from './results.ts';
import { Retention } from './retention.ts';
import { RollupWriter } from './rollup-writer.ts';
import { STORE_COMPONENT, STORE_MIGRATIONS } from './schema.ts';
import { TargetTable } from './targets.ts';
import { TokenTable } from './tokens.ts';
import { WriterThread } from './writer-thread.ts';

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
  /** The writer thread's entry module (writer-worker.ts); tests start one that crashes on cue. */
  writerEntry?: URL;
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
  private readonly writer: WriterThread;

  constructor(
    readonly db: Database,
    options: Omit<SqliteStoreOptions, 'path'> = {},
  ) {
    super();
    this.now = options.now ?? Date.now;
    if (db.memory || db.name === '')
      throw new Error('the SQLite store needs a database file: its writer thread opens its own connection');
    runMigrations(db, STORE_COMPONENT, STORE_MIGRATIONS);
    this.results = new ResultTable(db);
    this.rollups = new RollupWriter(db, options.maxCachedRollups);
    this.rollups.recover();
    // The writer thread checkpoints the WAL (durable-commits.ts); an automatic one here would block the event loop.
    db.pragma('wal_autocheckpoint = 0');
    this.probes = new ProbeTable(db);
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
      rollups: new RollupReads(sqliteSelectBlocks(db)),
      routes: new RouteReads((statement, params) => routeStmts[statement].all(params) as unknown[][]),
    };
    // Alert writes join the writer thread's group commits: an evaluation's commit then costs the event loop
    // no transaction and no fsync (it measured ~2 ms each, hundreds a minute in an alert storm).
    this.alerts = new SqliteAlertStore(db, {
      run: async (sql, params = []) => (await this.writer.statements([[sql, params]]))[0] as number,
      batch: (statements) => this.writer.statements(statements),
    });
    this.retention = new Retention(db, this.rollups, () => this.open);
    this.flushTimer = setInterval(() => this.flushRollups(), options.rollupFlushMs ?? 1000);
    this.flushTimer.unref();
    // Last: nothing above can fail and leave a thread running.
    this.writer = new WriterThread(
      { path: db.name, busyTimeoutMs: options.busyTimeoutMs ?? 5000 },
      () => this.rollups.recover(),
      options.writerEntry,
    );
  }

  /**
   * Group commit on the writer thread (writer-worker.ts): batches that reach it together share one
   * transaction and one fsync, and each promise resolves only after its commit is on stable storage, so an
   * answer still means durable.
   */
  async insertResults(
    probe: ProbeIdentity,
    results: ProbeResult[],
    receivedAt: number,
  ): Promise<InsertOutcome> {
    this.assertOpen();
    const ids = await this.writer.results(probe, receivedAt, packRows(results));
    const outcome = insertOutcome(probe, results, ids, receivedAt);
    // After the durable commit, in commit order (the thread answers in order): a rolled-back batch must not
    // reach the rollups, and ids are folded ascending.
    for (const r of outcome.inserted) this.rollups.fold(r.id, r);
    return outcome;
  }

  /** Joins the writer thread's next group commit, so a heartbeat costs no fsync of its own. */
  recordProbe(identity: ProbeIdentity, heartbeat: Heartbeat | undefined, at: number): Promise<void> {
    this.assertOpen();
    return this.writer.probe(identity, heartbeat, at);
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
    await this.writer.close();
    clearInterval(this.flushTimer);
    this.rollups.flush();
    this.open = false;
    this.db.close();
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
