import type {
  Heartbeat,
  MatrixCell,
  MatrixMetric,
  NetworkPath,
  ProbeIdentity,
  ProbeResult,
  ProbeSummary,
  Protocol,
  RegionCode,
  RoutedPath,
  RouteSummary,
  SeriesPoint,
  TargetConfig,
} from '@flyprobe/shared';
import type { AlertStore } from '../alerts/types.ts';
import type { RollupRecord } from './core/rollup-delta.ts';
import type { StoreLocation } from './open-store.ts';

/** A result as stored: the wire result plus who sent it and when it arrived. */
export interface StoredResult extends ProbeResult {
  /** Store-assigned id, quoted in alert evidence. */
  id: number;
  probeId: string;
  bootId: string;
  probeRegion: RegionCode;
  receivedAt: number;
}

export interface InsertOutcome {
  /** Results stored now, with their ids, in input order. */
  inserted: StoredResult[];
  /** Results already stored under the same (probe id, boot id, seq). */
  duplicate: number;
}

export interface CellQuery {
  target: string;
  path: NetworkPath;
  protocol: Protocol;
  metric: MatrixMetric;
  from: number;
  to: number;
}

/** Filter of `listResults`; `from` inclusive, `to` exclusive, on startedAt. */
export interface ResultFilter {
  probeId?: string;
  probeRegion?: RegionCode;
  target?: string;
  path?: NetworkPath;
  protocol?: Protocol;
  from?: number;
  to?: number;
  limit: number;
}

/** The store cannot take writes right now (its writer stopped); nothing of the failed write was acknowledged. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

export interface ResultStore {
  /** Stores results and updates their rollups in one transaction; durable when it resolves. */
  insertResults(probe: ProbeIdentity, results: ProbeResult[], receivedAt: number): Promise<InsertOutcome>;
  /** Raw results (within raw retention), newest first (by startedAt); `limit` is capped at 10,000. */
  listResults(filter: ResultFilter): Promise<StoredResult[]>;
  /**
   * Region x region cells from rollups. Windows of 12 h or more are read from hourly rollups and widened to
   * whole hours, shorter ones from minute rollups widened to whole minutes: see `rollupWindow`.
   */
  matrix(query: CellQuery): Promise<MatrixCell[]>;
  /** One cell over time from rollups, `stepMs` a multiple of a minute. */
  series(
    query: CellQuery & { fromRegion: RegionCode; toRegion: RegionCode; stepMs: number },
  ): Promise<SeriesPoint[]>;
  routes(query: { target?: string; path?: RoutedPath; from: number; to: number }): Promise<RouteSummary[]>;
}

export interface ProbeRegistry {
  recordProbe(identity: ProbeIdentity, heartbeat: Heartbeat | undefined, at: number): Promise<void>;
  listProbes(): Promise<ProbeSummary[]>;
}

export type TokenRole = 'probe' | 'read' | 'admin';

export interface TokenRecord {
  id: string;
  role: TokenRole;
  /**
   * For probe tokens: the only identity (probe id, app, region) this token may ingest for. All three are
   * set, or none for an unbound token (allowed only in local/lab mode, FLYPROBE_ALLOW_UNBOUND_PROBES).
   */
  probeId: string | null;
  app: string | null;
  region: string | null;
  name: string | null;
  /** Epoch ms after which the token is refused (401); null: never expires. */
  expiresAt: number | null;
  createdAt: number;
}

export interface NewToken {
  role: TokenRole;
  probeId?: string;
  app?: string;
  region?: string;
  name?: string;
  expiresAt?: number;
}

export interface TokenStore {
  /** Creates a token and returns its secret once; only a hash is kept. */
  createToken(input: NewToken): Promise<{ secret: string; record: TokenRecord }>;
  /** Finds the unrevoked token whose secret hashes to this value, expired or not (the caller decides). */
  findTokenBySecret(secret: string): Promise<TokenRecord | undefined>;
  listTokens(): Promise<TokenRecord[]>;
  revokeToken(id: string): Promise<boolean>;
  /**
   * Registers an operator-chosen secret (FLYPROBE_ADMIN_TOKEN, FLYPROBE_READ_TOKEN) under a fixed name,
   * replacing the secret previously registered under that name. Idempotent.
   */
  ensureToken(input: { secret: string; role: TokenRole; name: string }): Promise<TokenRecord>;
}

export interface TargetStore {
  getTargets(): Promise<{ revision: string; targets: TargetConfig[] }>;
  putTargets(targets: TargetConfig[]): Promise<{ revision: string }>;
}

export interface RetentionPolicy {
  rawMs: number;
  /** Hourly rollups (and minute rollups unless `minuteRollupMs` says otherwise). */
  rollupMs: number;
  /** Minute rollups; default min(rollupMs, 7 days). Long windows read hourly rollups, so this can be short. */
  minuteRollupMs?: number;
}

export interface Maintenance {
  /** Deletes raw results and rollups past retention in small chunks; returns how many rows went. */
  prune(now: number, policy: RetentionPolicy): Promise<{ raw: number; rollups: number }>;
  /**
   * Makes rollup rows canonical now: SQLite writes its write-behind cache back; PostgreSQL merges the partial
   * rows concurrent writers appended (otherwise done on a timer). Returns blocks written or merged.
   */
  compactRollups(): Promise<number>;
  close(): Promise<void>;
}

/** Leases in the database: how several collectors sharing one store agree on a single detector leader. */
export interface LeaseStore {
  /**
   * Takes the named lease for `holder` when it is free or expired, or renews it when `holder` has it, for
   * `ttlMs` by the database's clock (collectors' clocks may disagree). True while `holder` holds it.
   */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up (graceful stop), so another collector takes over without waiting for the expiry. */
  releaseLease(name: string, holder: string): Promise<void>;
}

/** Where a `resultsAfter` read stopped; opaque to callers. */
export type FeedCursor = string;

export interface ResultFeed {
  /**
   * Results committed after `cursor`, in commit order, at most `limit`: how a detector leader sees what
   * every collector ingested. `null` starts at the present (nothing returned, only a cursor).
   */
  resultsAfter(
    cursor: FeedCursor | null,
    limit: number,
  ): Promise<{ results: StoredResult[]; cursor: FeedCursor }>;
}

/** A storage dialect's name (open-store.ts lists them). */
export type Dialect = StoreLocation['dialect'];

/**
 * The collector's storage: results, rollups, probes, tokens, targets, alerts (with silences, receivers and
 * the outbox) and leases in one database. SQLite (better-sqlite3) is the embedded default for one collector;
 * PostgreSQL (store/postgres/) implements the same for several collectors sharing one database. The shared
 * logic (rollup blocks, sketches, the fibre floor, token secrets) lives in store/core/; dialects run SQL.
 */
export interface Store
  extends ResultStore,
    ProbeRegistry,
    TokenStore,
    TargetStore,
    Maintenance,
    LeaseStore,
    ResultFeed {
  readonly dialect: Dialect;
  /** True when other collectors may write the same database: detection and delivery then follow a lease. */
  readonly shared: boolean;
  readonly alerts: AlertStore;
  /** Bulk path: whole rollup cells (imports, benchmarks), replacing cells with the same key. */
  writeRollups(records: readonly RollupRecord[]): Promise<void>;
}
