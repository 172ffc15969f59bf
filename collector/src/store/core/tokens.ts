import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NewToken, TokenRecord, TokenRole } from '../store.ts';

const ROLES: readonly TokenRole[] = ['probe', 'read', 'admin'];

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** True when a stored hash is the hash of `secret` (constant time). */
export function secretMatches(stored: Uint8Array, hash: Buffer): boolean {
  return stored.length === hash.length && timingSafeEqual(stored, hash);
}

export function newTokenId(): string {
  return `tok_${randomBytes(8).toString('hex')}`;
}

/**
 * Checks a `createToken` input and mints it: the secret is `fp_<role>_<base64url of 32 random bytes>`; only
 * its SHA-256 is stored. A probe binding names all of probeId, app and region, or none of them.
 */
export function mintToken(
  input: NewToken,
  now: number,
): { secret: string; record: TokenRecord; hash: Buffer } {
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

/** The column values of a new token row, in the INSERT order both dialects use. */
export function tokenInsertValues(r: TokenRecord, hash: Buffer): unknown[] {
  return [r.id, r.role, r.probeId, r.app, r.region, r.name, r.expiresAt, hash, r.createdAt];
}

export const INSERT_TOKEN_COLUMNS =
  'id, role, probe_id, app, region, name, expires_at, secret_hash, created_at';

/** Checks an `ensureToken` input; returns the secret's hash. */
export function checkEnsureInput(input: { secret: string; role: TokenRole; name: string }): Buffer {
  checkRole(input.role);
  if (input.secret.length < 16) throw new RangeError('secret: must be at least 16 characters');
  if (!input.name) throw new RangeError('name: must not be empty');
  return hashSecret(input.secret);
}

/** The record of an operator secret registered under a name (never bound, never expiring). */
export function namedTokenRecord(id: string, role: TokenRole, name: string, now: number): TokenRecord {
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

export function tokenRecord(r: TokenRow): TokenRecord {
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
