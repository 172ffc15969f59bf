import type { Database } from 'better-sqlite3';
import {
  checkEnsureInput,
  ensureWrite,
  SqlTokens,
  TOKEN_BY_HASH,
  TOKEN_BY_NAME,
  type TokenRow,
} from '../core/tokens.ts';
import type { TokenRecord, TokenRole } from '../store.ts';
import { sqliteSql } from './sql.ts';

/** Bearer tokens in SQLite (statements, secret format, bindings and checks in core/tokens.ts). */
export class TokenTable extends SqlTokens {
  constructor(private readonly db: Database) {
    super(sqliteSql(db), 'id');
  }

  /**
   * One synchronous transaction: one collector per file, nothing interleaves. IMMEDIATE because it reads
   * before it writes and the store's writer thread commits on its own connection meanwhile.
   */
  async ensure(input: { secret: string; role: TokenRole; name: string }, now: number): Promise<TokenRecord> {
    const hash = checkEnsureInput(input);
    return this.db
      .transaction(() => {
        const owner = this.db.prepare(TOKEN_BY_HASH).get(hash) as TokenRow | undefined;
        const existing = this.db.prepare(TOKEN_BY_NAME).get(input.name) as TokenRow | undefined;
        const { record, write } = ensureWrite(input, hash, owner, existing, now);
        this.db.prepare(write[0]).run(...write[1]);
        return record;
      })
      .immediate();
  }
}
