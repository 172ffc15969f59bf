import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NewToken, TokenRecord, TokenRole } from '../store.ts';
import type { Sql, Statement } from './sql.ts';
import type { TokenTable } from './store-base.ts';

const ROLES: readonly TokenRole[] = ['probe', 'read', 'admin'];

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** True when a stored hash is the hash of `secret` (constant time). */
export function secretMatches(stored: Uint8Array, hash: Buffer): boolean {
  return stored.length === hash.length && timingSafeEqual(stored, hash);
}

function newTokenId(): string {
  return `tok_${randomBytes(8).toString('hex')}`;
}

/**
 * Checks a `createToken` input and mints it: the secret is `fp_<role>_<base64url of 32 random bytes>`; only
 * its SHA-256 is stored. A probe binding names all of probeId, app and region, or none of them.
 */
function mintToken(input: NewToken, now: number): { secret: string; record: TokenRecord; hash: Buffer } {
  checkRole(input.role);
  const bound = [input.probeId, input.app, input.region].filter((v) => v !== undefined).length;
  if (bound > 0 && input.role !== 'probe')
    throw new RangeError('probeId: only probe tokens are bound to a probe identity');
  if (bound !== 0 && bound !== 3) throw new RangeError('probeId: a binding names probeId, app and region');
  const secret = `fp_${input.role}_${randomBytes(32).toString('base64url')}`;
  const record: TokenRecord = {
    id: newTokenId(),
    role: input.role,
    probeId: input.probeId ?? null,
    app: input.app ?? null,
    region: input.region ?? null,
    name: input.name ?? null,
    expiresAt: input.expiresAt ?? null,
    createdAt: now,
  };
  return { secret, record, hash: hashSecret(secret) };
}

/** The column values of a new token row, in INSERT order. */
function tokenInsertValues(r: TokenRecord, hash: Buffer): unknown[] {
  return [r.id, r.role, r.probeId, r.app, r.region, r.name, r.expiresAt, hash, r.createdAt];
}

const INSERT_TOKEN_COLUMNS = 'id, role, probe_id, app, region, name, expires_at, secret_hash, created_at';

/** Checks an `ensureToken` input; returns the secret's hash. */
export function checkEnsureInput(input: { secret: string; role: TokenRole; name: string }): Buffer {
  checkRole(input.role);
  if (input.secret.length < 16) throw new RangeError('secret: must be at least 16 characters');
  if (!input.name) throw new RangeError('name: must not be empty');
  return hashSecret(input.secret);
}

/** The record of an operator secret registered under a name (never bound, never expiring). */
function namedTokenRecord(id: string, role: TokenRole, name: string, now: number): TokenRecord {
  return { id, role, probeId: null, app: null, region: null, name, expiresAt: null, createdAt: now };
}

function checkRole(role: string): void {
  if (!ROLES.includes(role as TokenRole)) throw new RangeError(`role: must be one of ${ROLES.join(', ')}`);
}

/** A token row as both dialects store it. */
export interface TokenRow {
  id: string;
  role: TokenRole;
  probe_id: string | null;
  app: string | null;
  region: string | null;
  name: string | null;
  expires_at: number | null;
  secret_hash: Uint8Array;
  created_at: number;
}

function tokenRecord(r: TokenRow): TokenRecord {
  return {
    id: r.id,
    role: r.role,
    probeId: r.probe_id,
    app: r.app,
    region: r.region,
    name: r.name,
    expiresAt: r.expires_at === null ? null : Number(r.expires_at),
    createdAt: Number(r.created_at),
  };
}

const INSERT = `INSERT INTO tokens (${INSERT_TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
export const TOKEN_BY_HASH = 'SELECT * FROM tokens WHERE secret_hash = ? AND revoked_at IS NULL';
export const TOKEN_BY_NAME = 'SELECT * FROM tokens WHERE name = ? AND revoked_at IS NULL';

/**
 * What `ensureToken` writes, decided from the rows read inside its transaction: the unrevoked token holding
 * this secret's hash (`owner`) and the one holding the name (`existing`).
 */
export function ensureWrite(
  input: { role: TokenRole; name: string },
  hash: Buffer,
  owner: TokenRow | undefined,
  existing: TokenRow | undefined,
  now: number,
): { record: TokenRecord; write: Statement } {
  if (owner && owner.name !== input.name) throw new RangeError('secret: already used by another token');
  if (existing)
    return {
      record: tokenRecord({ ...existing, role: input.role }),
      write: ['UPDATE tokens SET secret_hash = ?, role = ? WHERE id = ?', [hash, input.role, existing.id]],
    };
  const record = namedTokenRecord(newTokenId(), input.role, input.name, now);
  return { record, write: [INSERT, tokenInsertValues(record, hash)] };
}

/**
 * Bearer tokens on any dialect; the dialect adds `ensure` (its transaction and, on PostgreSQL, a lock so
 * collectors starting together register a name one at a time) and how ids sort byte-wise.
 */
export abstract class SqlTokens implements TokenTable {
  constructor(
    protected readonly sql: Sql,
    private readonly idOrder: string,
  ) {}

  async create(input: NewToken, now: number): Promise<{ secret: string; record: TokenRecord }> {
    const { secret, record, hash } = mintToken(input, now);
    await this.sql.run(INSERT, tokenInsertValues(record, hash));
    return { secret, record };
  }

  async find(secret: string): Promise<TokenRecord | undefined> {
    const hash = hashSecret(secret);
    const [row] = await this.sql.all<TokenRow>(TOKEN_BY_HASH, [hash]);
    // The lookup is by hash already; the explicit constant-time compare keeps that property if the lookup changes.
    if (!row || !secretMatches(row.secret_hash, hash)) return undefined;
    return tokenRecord(row);
  }

  async list(): Promise<TokenRecord[]> {
    const rows = await this.sql.all<TokenRow>(
      `SELECT * FROM tokens WHERE revoked_at IS NULL ORDER BY created_at, ${this.idOrder}`,
    );
    return rows.map(tokenRecord);
  }

  async revoke(id: string, now: number): Promise<boolean> {
    return (
      (await this.sql.run('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [
        now,
        id,
      ])) > 0
    );
  }

  abstract ensure(
    input: { secret: string; role: TokenRole; name: string },
    now: number,
  ): Promise<TokenRecord>;
}
