import {
  type Heartbeat,
  jsonLogger,
  type Logger,
  type ProbeIdentity,
  type ProbeResult,
} from '@flyprobe/shared';
import { RollupDelta, type RollupRecord } from '../core/rollup-delta.ts';
import { RollupReads, selectBlocksSql } from '../core/rollup-reads.ts';
import { RouteReads, routeStatements } from '../core/routes.ts';
import { StoreBase, type StoreParts } from '../core/store-base.ts';
import type { FeedCursor, InsertOutcome, RetentionPolicy, Store } from '../store.ts';
import { PgAlertStore } from './alerts.ts';
import { acquireLease, releaseLease } from './leases.ts';
import { runPgMigrations } from './migrations.ts';
import { type Client, openPool, type Pool } from './pool.ts';
import { listProbes, recordProbe } from './probes.ts';
import { PgResults } from './results.ts';
import { prunePg } from './retention.ts';
import { PgRollups } from './rollups.ts';
import { PG_ALERT_MIGRATIONS, PG_STORE_MIGRATIONS } from './schema.ts';
import { PgTargets } from './targets.ts';
import { PgTokens } from './tokens.ts';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database?sslmode=...` (FLYPROBE_DATABASE_URL). */
  url: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Group commits in flight at once (default 4): concurrent batches share these transactions. */
  maxConcurrentCommits?: number;
  /** How often partial rollup rows are merged (ms, default 5000); 0 turns the timer off. */
  compactMs?: number;
  /** Clock for record timestamps (tokens, targets); tests pin it. */
  now?: () => number;
  /** Where background failures (compaction) are reported; defaults to the collector's JSON log. */
  log?: Logger;
}

/** A write waiting for the next group commit; `run` executes inside the shared transaction. */
interface PendingWrite {
  /** The probe it writes for: a transaction takes its row locks in this order (see `transact`). */
  probeId: string;
  run(c: Client, delta: RollupDelta): Promise<void>;
  done(): void;
  fail(error: unknown): void;
}

/** Buckets merged per compaction pass and tier. */
const COMPACT_BATCH = 200;

const ROUTES = routeStatements({ from: '$1', to: '$2', target: '$3::text', path: '$4::text' });

/**
 * Store on PostgreSQL, shared by several collectors. Ingest is a group commit like SQLite's: batches that
 * arrive together share one transaction (results, their rollup partial rows, probe rows), and a promise
 * resolves only after COMMIT, so an answer still means durable. A few commits run in parallel on the pool.
 */
export class PostgresStore extends StoreBase implements Store {
  readonly dialect = 'postgres';
  readonly shared = true;
  readonly alerts: PgAlertStore;
  protected readonly parts: StoreParts;
  protected readonly now: () => number;
  private readonly results: PgResults;
  private readonly rollups: PgRollups;
  private readonly log: Logger;
  private readonly maxCommits: number;
  private readonly compactTimer: NodeJS.Timeout | undefined;
  private compacting: Promise<unknown> | undefined;
  private pending: PendingWrite[] = [];
  private commitsInFlight = 0;
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly pool: Pool,
    options: Omit<PostgresStoreOptions, 'url'> = {},
  ) {
    super();
    this.now = options.now ?? Date.now;
    this.log = options.log ?? jsonLogger;
    this.maxCommits = Math.max(1, options.maxConcurrentCommits ?? 4);
    this.alerts = new PgAlertStore(pool);
    this.results = new PgResults(pool);
    this.rollups = new PgRollups(pool);
    this.parts = {
      results: this.results,
      probes: { list: () => listProbes(pool) },
      tokens: new PgTokens(pool),
      targets: new PgTargets(pool),
      rollups: new RollupReads(async (s) => {
        const { rows } = await pool.query<[number, Buffer]>({
          text: selectBlocksSql(s.table, (n) => `$${n}`),
          values: [s.target, s.path, s.protocol, s.from, s.to],
          rowMode: 'array',
        });
        return rows;
      }),
      routes: new RouteReads(async (statement, p) => {
        const values = [p.from, p.to, p.target, p.path];
        return (await pool.query<unknown[]>({ text: ROUTES[statement], values, rowMode: 'array' })).rows;
      }),
    };
    const compactMs = options.compactMs ?? 5000;
    if (compactMs > 0) {
      this.compactTimer = setInterval(() => void this.compactRollups(), compactMs);
      this.compactTimer.unref();
    }
  }

  async insertResults(
    probe: ProbeIdentity,
    results: ProbeResult[],
    receivedAt: number,
  ): Promise<InsertOutcome> {
    this.assertOpen();
    const bootKey = await this.results.bootKey(probe.probeId, probe.bootId);
    return new Promise((resolve, reject) => {
      let outcome: InsertOutcome;
      this.enqueue({
        probeId: probe.probeId,
        run: async (c, delta) => {
          outcome = await this.results.insert(c, bootKey, probe, results, receivedAt);
          for (const r of outcome.inserted) delta.add(r);
        },
        done: () => resolve(outcome),
        fail: reject,
      });
    });
  }

  async resultsAfter(cursor: FeedCursor | null, limit: number) {
    this.assertOpen();
    return this.results.after(cursor, limit);
  }

  /** Joins the next group commit, like an ingest batch. */
  recordProbe(identity: ProbeIdentity, heartbeat: Heartbeat | undefined, at: number): Promise<void> {
    this.assertOpen();
    return new Promise((resolve, reject) => {
      this.enqueue({
        probeId: identity.probeId,
        run: (c) => recordProbe(c, identity, heartbeat, at),
        done: resolve,
        fail: reject,
      });
    });
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    return acquireLease(this.pool, name, holder, ttlMs);
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    this.assertOpen();
    await releaseLease(this.pool, name, holder);
  }

  async prune(now: number, policy: RetentionPolicy): Promise<{ raw: number; rollups: number }> {
    this.assertOpen();
    const pruned = await prunePg(this.pool, now, policy, () => this.open);
    await this.compactRollups();
    return pruned;
  }

  async writeRollups(records: readonly RollupRecord[]): Promise<void> {
    this.assertOpen();
    const delta = new RollupDelta();
    for (const r of records) delta.set(r);
    await this.rollups.replace(delta);
  }

  /** Merges partial rollup rows now (also every `compactMs` and after each prune); returns buckets merged. */
  async compactRollups(): Promise<number> {
    if (!this.open) return 0;
    // One compaction at a time per process; others' compactions are safe beside it (see PgRollups.compact).
    while (this.compacting) await this.compacting;
    const run = (async () => {
      let merged = 0;
      // Passes of at most COMPACT_BATCH buckets per tier, until a pass finds less than a full batch.
      for (let pass = 0; pass < 50 && this.open; pass++) {
        const n = await this.rollups.compact(COMPACT_BATCH);
        merged += n;
        if (n < COMPACT_BATCH) break;
      }
      return merged;
    })().catch((error: unknown) => {
      // Nothing is lost (the partial rows stay and readers sum them); the next run retries.
      this.log('warn', 'rollup compaction failed', { error: String(error) });
      return 0;
    });
    this.compacting = run;
    try {
      return await run;
    } finally {
      this.compacting = undefined;
    }
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    if (this.compactTimer) clearInterval(this.compactTimer);
    while (this.pending.length > 0 || this.commitsInFlight > 0)
      await new Promise<void>((r) => this.idle.add(r));
    await this.compacting;
    await this.pool.end();
  }

  private enqueue(write: PendingWrite): void {
    this.pending.push(write);
    if (this.pending.length === 1) setImmediate(() => this.startCommits());
  }

  private startCommits(): void {
    while (this.pending.length > 0 && this.commitsInFlight < this.maxCommits) {
      const writes = this.pending;
      this.pending = [];
      this.commitsInFlight++;
      void this.commit(writes).finally(() => {
        this.commitsInFlight--;
        if (this.pending.length > 0) this.startCommits();
        else if (this.commitsInFlight === 0) for (const wake of this.idle) wake();
        this.idle.clear();
      });
    }
  }

  /** One transaction for every write; when it fails, each write is retried alone so one bad batch fails alone. */
  private async commit(writes: PendingWrite[]): Promise<void> {
    try {
      await this.transact(writes);
    } catch (error) {
      if (writes.length === 1) {
        writes[0]?.fail(error);
        return;
      }
      for (const w of writes) {
        try {
          await this.transact([w]);
        } catch (single) {
          w.fail(single);
          continue;
        }
        w.done();
      }
      return;
    }
    for (const w of writes) w.done();
  }

  private async transact(writes: readonly PendingWrite[]): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const delta = new RollupDelta();
      // Every collector locks probe rows and result keys in probe id order, so two group commits touching
      // the same probes (a probe that failed over mid-batch) wait for each other instead of deadlocking.
      const ordered = [...writes].sort((x, y) =>
        x.probeId < y.probeId ? -1 : x.probeId > y.probeId ? 1 : 0,
      );
      for (const w of ordered) await w.run(client, delta);
      await this.rollups.append(client, delta);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** Connects, applies the store's and the alerts' migrations (serialized across collectors). */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const pool = openPool(options.url, options.poolSize ?? 10);
  try {
    await runPgMigrations(pool, 'store', PG_STORE_MIGRATIONS);
    await runPgMigrations(pool, 'alerts', PG_ALERT_MIGRATIONS);
    return new PostgresStore(pool, options);
  } catch (error) {
    await pool.end();
    throw error;
  }
}
