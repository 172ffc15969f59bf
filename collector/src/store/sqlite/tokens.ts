import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { NewToken, TokenRecord, TokenRole } from '../store.ts';

const ROLES: readonly TokenRole[] = ['probe', 'read', 'admin'];

interface TokenRow {
  id: string;
  role: TokenRole;
  probe_id: string | null;
  app: string | null;
  region: string | null;
  name: string | null;
  expires_at: number | null;
  secret_hash: Buffer;
  created_at: number;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Bearer tokens: `fp_<role>_<base64url of 32 random bytes>`; only the SHA-256 of the secret is stored. */
export class TokenTable {
  private readonly insert: Statement;
  private readonly byHash: Statement;
  private readonly byName: Statement;
  private readonly all: Statement;
  private readonly revoke: Statement;
  private readonly replaceSecret: Statement;

  constructor(private readonly db: Database) {
    this.insert = db.prepare(
      `INSERT INTO tokens (id, role, probe_id, app, region, name, expires_at, secret_hash, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byHash = db.prepare('SELECT * FROM tokens WHERE secret_hash = ? AND revoked_at IS NULL');
    this.byName = db.prepare('SELECT * FROM tokens WHERE name = ? AND revoked_at IS NULL');
    this.all = db.prepare('SELECT * FROM tokens WHERE revoked_at IS NULL ORDER BY created_at, id');
    this.revoke = db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
    this.replaceSecret = db.prepare('UPDATE tokens SET secret_hash = ?, role = ? WHERE id = ?');
  }

  create(input: NewToken, now: number): { secret: string; record: TokenRecord } {
    checkRole(input.role);
    const bound = [input.probeId, input.app, input.region].filter((v) => v !== undefined).length;
    if (bound > 0 && input.role !== 'probe')
      throw new RangeError('probeId: only probe tokens are bound to a probe identity');
    if (bound !== 0 && bound !== 3) throw new RangeError('probeId: a binding names probeId, app and region');
    const secret = `fp_${input.role}_${randomBytes(32).toString('base64url')}`;
    const record: TokenRecord = {
      id: `tok_${randomBytes(8).toString('hex')}`,
      role: input.role,
      probeId: input.probeId ?? null,
      app: input.app ?? null,
      region: input.region ?? null,
      name: input.name ?? null,
      expiresAt: input.expiresAt ?? null,
      createdAt: now,
    };
    this.insert.run(
      record.id,
      record.role,
      record.probeId,
      record.app,
      record.region,
      record.name,
      record.expiresAt,
      hashSecret(secret),
      now,
    );
    return { secret, record };
  }

  find(secret: string): TokenRecord | undefined {
    const hash = hashSecret(secret);
    const row = this.byHash.get(hash) as TokenRow | undefined;
    // The lookup is by hash already; the explicit constant-time compare keeps that property if the lookup changes.
    if (!row || !timingSafeEqual(row.secret_hash, hash)) return undefined;
    return toRecord(row);
  }

  list(): TokenRecord[] {
    return (this.all.all() as TokenRow[]).map(toRecord);
  }

  revokeById(id: string, now: number): boolean {
    return this.revoke.run(now, id).changes > 0;
  }

  ensure(input: { secret: string; role: TokenRole; name: string }, now: number): TokenRecord {
    checkRole(input.role);
    if (input.secret.length < 16) throw new RangeError('secret: must be at least 16 characters');
    if (!input.name) throw new RangeError('name: must not be empty');
    const hash = hashSecret(input.secret);
    const owner = this.byHash.get(hash) as TokenRow | undefined;
    if (owner && owner.name !== input.name) throw new RangeError('secret: already used by another token');
    return this.db.transaction(() => {
      const existing = this.byName.get(input.name) as TokenRow | undefined;
      if (existing) {
        this.replaceSecret.run(hash, input.role, existing.id);
        return toRecord({ ...existing, role: input.role });
      }
      const id = `tok_${randomBytes(8).toString('hex')}`;
      this.insert.run(id, input.role, null, null, null, input.name, null, hash, now);
      return {
        id,
        role: input.role,
        probeId: null,
        app: null,
        region: null,
        name: input.name,
        expiresAt: null,
        createdAt: now,
      };
    })();
  }
}

function checkRole(role: string): void {
  if (!ROLES.includes(role as TokenRole)) throw new RangeError(`role: must be one of ${ROLES.join(', ')}`);
}

function toRecord(r: TokenRow): TokenRecord {
  return {
    id: r.id,
    role: r.role,
    probeId: r.probe_id,
    app: r.app,
    region: r.region,
    name: r.name,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
  };
}
