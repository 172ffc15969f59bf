import { numberedPlaceholders } from '../core/sql.ts';
import {
  checkEnsureInput,
  ensureWrite,
  SqlTokens,
  TOKEN_BY_HASH,
  TOKEN_BY_NAME,
  type TokenRow,
} from '../core/tokens.ts';
import type { TokenRecord, TokenRole } from '../store.ts';
import { type Pool, transaction } from './pool.ts';
import { pgSql } from './sql.ts';

/** Bearer tokens on PostgreSQL (statements, secret format, bindings and checks in core/tokens.ts). */
export class PgTokens extends SqlTokens {
  constructor(private readonly pool: Pool) {
    super(pgSql(pool), 'id COLLATE "C"');
  }

  /** Registers an operator secret under a name; collectors starting together do it one at a time. */
  async ensure(input: { secret: string; role: TokenRole; name: string }, now: number): Promise<TokenRecord> {
    const hash = checkEnsureInput(input);
    return transaction(this.pool, async (c) => {
      await c.query("SELECT pg_advisory_xact_lock(hashtext('flyprobe_tokens:' || $1))", [input.name]);
      const one = async (sql: string, value: unknown) =>
        (await c.query<TokenRow>(numberedPlaceholders(sql), [value])).rows[0];
      const owner = await one(TOKEN_BY_HASH, hash);
      const existing = await one(TOKEN_BY_NAME, input.name);
      const { record, write } = ensureWrite(input, hash, owner, existing, now);
      await c.query(numberedPlaceholders(write[0]), [...write[1]]);
      return record;
    });
  }
}
