import type { TokenTable } from '../core/store-base.ts';
import {
  checkEnsureInput,
  hashSecret,
  INSERT_TOKEN_COLUMNS,
  mintToken,
  namedTokenRecord,
  newTokenId,
  secretMatches,
  type TokenRow,
  tokenInsertValues,
  tokenRecord,
} from '../core/tokens.ts';
import type { NewToken, TokenRecord, TokenRole } from '../store.ts';
import { type Pool, transaction } from './pool.ts';

const INSERT = `INSERT INTO tokens (${INSERT_TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

/** Bearer tokens on PostgreSQL (secret format, bindings and checks in core/tokens.ts). */
export class PgTokens implements TokenTable {
  constructor(private readonly pool: Pool) {}

  async create(input: NewToken, now: number): Promise<{ secret: string; record: TokenRecord }> {
    const { secret, record, hash } = mintToken(input, now);
    await this.pool.query(INSERT, tokenInsertValues(record, hash));
    return { secret, record };
  }

  async find(secret: string): Promise<TokenRecord | undefined> {
    const hash = hashSecret(secret);
    const { rows } = await this.pool.query<TokenRow>(
      'SELECT * FROM tokens WHERE secret_hash = $1 AND revoked_at IS NULL',
      [hash],
    );
    const row = rows[0];
    if (!row || !secretMatches(row.secret_hash, hash)) return undefined;
    return tokenRecord(row);
  }

  async list(): Promise<TokenRecord[]> {
    const { rows } = await this.pool.query<TokenRow>(
      'SELECT * FROM tokens WHERE revoked_at IS NULL ORDER BY created_at, id COLLATE "C"',
    );
    return rows.map(tokenRecord);
  }

  async revoke(id: string, now: number): Promise<boolean> {
    const r = await this.pool.query(
      'UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL',
      [now, id],
    );
    return (r.rowCount ?? 0) > 0;
  }

  /** Registers an operator secret under a name; collectors starting together do it one at a time. */
  async ensure(input: { secret: string; role: TokenRole; name: string }, now: number): Promise<TokenRecord> {
    const hash = checkEnsureInput(input);
    return transaction(this.pool, async (c) => {
      await c.query("SELECT pg_advisory_xact_lock(hashtext('flyprobe_tokens:' || $1))", [input.name]);
      const owner = (
        await c.query<TokenRow>('SELECT * FROM tokens WHERE secret_hash = $1 AND revoked_at IS NULL', [hash])
      ).rows[0];
      if (owner && owner.name !== input.name) throw new RangeError('secret: already used by another token');
      const existing = (
        await c.query<TokenRow>('SELECT * FROM tokens WHERE name = $1 AND revoked_at IS NULL', [input.name])
      ).rows[0];
      if (existing) {
        await c.query('UPDATE tokens SET secret_hash = $1, role = $2 WHERE id = $3', [
          hash,
          input.role,
          existing.id,
        ]);
        return tokenRecord({ ...existing, role: input.role });
      }
      const record = namedTokenRecord(newTokenId(), input.role, input.name, now);
      await c.query(INSERT, tokenInsertValues(record, hash));
      return record;
    });
  }
}
