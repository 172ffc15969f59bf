import type { MatrixCell, ProbeSummary, RouteSummary, SeriesPoint, TargetConfig } from '@flyprobe/shared';
import type { CellQuery, NewToken, ResultFilter, StoredResult, TokenRecord, TokenRole } from '../store.ts';
import type { SeriesQuery } from './rollup-read.ts';
import type { RollupReads } from './rollup-reads.ts';
import type { RouteQuery, RouteReads } from './routes.ts';

/** A value, or a promise of it: SQLite's parts answer synchronously, PostgreSQL's asynchronously. */
export type Awaitable<T> = T | Promise<T>;

/** Bearer tokens as a dialect stores them (secret format, bindings and checks in core/tokens.ts). */
export interface TokenTable {
  create(input: NewToken, now: number): Awaitable<{ secret: string; record: TokenRecord }>;
  find(secret: string): Awaitable<TokenRecord | undefined>;
  list(): Awaitable<TokenRecord[]>;
  revoke(id: string, now: number): Awaitable<boolean>;
  ensure(input: { secret: string; role: TokenRole; name: string }, now: number): Awaitable<TokenRecord>;
}

/** The one targets document (core/targets.ts). */
export interface TargetDocument {
  get(): Awaitable<{ revision: string; targets: TargetConfig[] }>;
  put(targets: readonly TargetConfig[], now: number): Awaitable<{ revision: string }>;
}

/** What a dialect reads with, beside the shared readers of rollups and routes. */
export interface StoreParts {
  results: { list(filter: ResultFilter): Awaitable<StoredResult[]> };
  probes: { list(): Awaitable<ProbeSummary[]> };
  tokens: TokenTable;
  targets: TargetDocument;
  rollups: RollupReads;
  routes: RouteReads;
}

/**
 * The part of a `Store` that is the same on every dialect: each read checks the store is open and asks the
 * dialect's part. A dialect adds its write path (group commit), leases, retention and closing.
 */
export abstract class StoreBase {
  protected open = true;
  protected abstract readonly parts: StoreParts;
  /** Clock for record timestamps (tokens, targets); tests pin it. */
  protected abstract readonly now: () => number;

  /** Makes rollups readable before a read (SQLite writes its write-behind cache back). */
  protected beforeRollupRead(): void {}

  async listResults(filter: ResultFilter): Promise<StoredResult[]> {
    this.assertOpen();
    return this.parts.results.list(filter);
  }

  async matrix(query: CellQuery): Promise<MatrixCell[]> {
    this.assertOpen();
    this.beforeRollupRead();
    return this.parts.rollups.matrix(query);
  }

  async series(query: SeriesQuery): Promise<SeriesPoint[]> {
    this.assertOpen();
    this.beforeRollupRead();
    return this.parts.rollups.series(query);
  }

  async routes(query: RouteQuery): Promise<RouteSummary[]> {
    this.assertOpen();
    return this.parts.routes.routes(query);
  }

  async listProbes(): Promise<ProbeSummary[]> {
    this.assertOpen();
    return this.parts.probes.list();
  }

  async createToken(input: NewToken): Promise<{ secret: string; record: TokenRecord }> {
    this.assertOpen();
    return this.parts.tokens.create(input, this.now());
  }

  async findTokenBySecret(secret: string): Promise<TokenRecord | undefined> {
    this.assertOpen();
    return this.parts.tokens.find(secret);
  }

  async listTokens(): Promise<TokenRecord[]> {
    this.assertOpen();
    return this.parts.tokens.list();
  }

  async revokeToken(id: string): Promise<boolean> {
    this.assertOpen();
    return this.parts.tokens.revoke(id, this.now());
  }

  async ensureToken(input: { secret: string; role: TokenRole; name: string }): Promise<TokenRecord> {
    this.assertOpen();
    return this.parts.tokens.ensure(input, this.now());
  }

  async getTargets(): Promise<{ revision: string; targets: TargetConfig[] }> {
    this.assertOpen();
    return this.parts.targets.get();
  }

  async putTargets(targets: TargetConfig[]): Promise<{ revision: string }> {
    this.assertOpen();
    return this.parts.targets.put(targets, this.now());
  }

  protected assertOpen(): void {
    if (!this.open) throw new Error('store is closed');
  }
}
