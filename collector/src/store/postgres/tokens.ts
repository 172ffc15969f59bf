import {
  checkEnsureInput,
  hashSecret,
  mintToken,
  newTokenId,
  secretMatches,
  type TokenRow,
  tokenRecord,
} from '../core/tokens.ts';
import type { TokenRecord, TokenRole } from '../store.ts';
import { type Pool, transaction } from './pool.ts';

const INSERT =
  'INSERT INTO tokens (id, role, probe_id, name, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)';

/** Bearer tokens on PostgreSQL (secret format and checks in core/tokens.ts). */
export class PgTokens {
  constructor(private readonly pool: Pool) {}

  async create(
    input: { role: TokenRole; probeId?: string; name?: string },
    now: number,
  ): Promise<{ token: string; record: TokenRecord }> {
    const { token, id, hash } = mintToken(input);
    await this.pool.query(INSERT, [id, input.role, input.probeId ?? null, input.name ?? null, hash, now]);
    return {
      token,
      record: {
        id,
        role: input.role,
        probeId: input.probeId ?? null,
        name: input.name ?? null,
        createdAt: now,
      },
    };
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

  /** Registers an operator secret under a name; serialized by a row lock so collectors starting together agree. */
  async ensure(input: { secret: string; role: TokenRole; name: string }, now: number): Promise<TokenRecord> {
    const hash = checkEnsureInput(input);
    return transaction(this.pool, async (c) => {
      // Collectors starting together register the same names: one at a time.
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
      const id = newTokenId();
      await c.query(INSERT, [id, input.role, null, input.name, hash, now]);
      return { id, role: input.role, probeId: null, name: input.name, createdAt: now };
    });
  }
}
