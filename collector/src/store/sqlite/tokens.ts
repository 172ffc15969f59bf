import type { Database, Statement } from 'better-sqlite3';
import type { TokenTable as Tokens } from '../core/store-base.ts';
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

/** Bearer tokens in SQLite (secret format, bindings and checks in core/tokens.ts). */
export class TokenTable implements Tokens {
  private readonly insert: Statement;
  private readonly byHash: Statement;
  private readonly byName: Statement;
  private readonly all: Statement;
  private readonly revokeStmt: Statement;
  private readonly replaceSecret: Statement;

  constructor(private readonly db: Database) {
    this.insert = db.prepare(
      `INSERT INTO tokens (${INSERT_TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byHash = db.prepare('SELECT * FROM tokens WHERE secret_hash = ? AND revoked_at IS NULL');
    this.byName = db.prepare('SELECT * FROM tokens WHERE name = ? AND revoked_at IS NULL');
    this.all = db.prepare('SELECT * FROM tokens WHERE revoked_at IS NULL ORDER BY created_at, id');
    this.revokeStmt = db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
    this.replaceSecret = db.prepare('UPDATE tokens SET secret_hash = ?, role = ? WHERE id = ?');
  }

  create(input: NewToken, now: number): { secret: string; record: TokenRecord } {
    const { secret, record, hash } = mintToken(input, now);
    this.insert.run(...tokenInsertValues(record, hash));
    return { secret, record };
  }

  find(secret: string): TokenRecord | undefined {
    const hash = hashSecret(secret);
    const row = this.byHash.get(hash) as TokenRow | undefined;
    // The lookup is by hash already; the explicit constant-time compare keeps that property if the lookup changes.
    if (!row || !secretMatches(row.secret_hash, hash)) return undefined;
    return tokenRecord(row);
  }

  list(): TokenRecord[] {
    return (this.all.all() as TokenRow[]).map(tokenRecord);
  }

  revoke(id: string, now: number): boolean {
    return this.revokeStmt.run(now, id).changes > 0;
  }

  ensure(input: { secret: string; role: TokenRole; name: string }, now: number): TokenRecord {
    const hash = checkEnsureInput(input);
    const owner = this.byHash.get(hash) as TokenRow | undefined;
    if (owner && owner.name !== input.name) throw new RangeError('secret: already used by another token');
    return this.db.transaction(() => {
      const existing = this.byName.get(input.name) as TokenRow | undefined;
      if (existing) {
        this.replaceSecret.run(hash, input.role, existing.id);
        return tokenRecord({ ...existing, role: input.role });
      }
      const record = namedTokenRecord(newTokenId(), input.role, input.name, now);
      this.insert.run(...tokenInsertValues(record, hash));
      return record;
    })();
  }
}
