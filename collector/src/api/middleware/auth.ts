import { createHash, timingSafeEqual } from 'node:crypto';
import { roleAllows } from '@flyprobe/shared';
import type { MiddlewareHandler } from 'hono';
import type { TokenRecord, TokenRole } from '../../store/store.ts';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv, Caller, ProbeBinding } from '../env.ts';
import { ApiError } from '../errors.ts';

const REALM = 'Bearer realm="flyprobe"';
/** Longer than any secret we issue; bounds the hashing work per request. */
const MAX_SECRET_LENGTH = 512;

export function sha256(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Compares a presented secret with a known one without leaking where they differ. */
export function secretMatches(presentedHash: Buffer, knownHash: Buffer): boolean {
  return timingSafeEqual(presentedHash, knownHash);
}

/** Extracts the secret from `Authorization: Bearer <secret>`, or throws the 401 to answer. */
export function bearerSecret(header: string | undefined): string {
  if (!header) throw unauthorized('missing Authorization header (expected "Bearer <token>")', false);
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw unauthorized('Authorization header must be "Bearer <token>"', true);
  if (match[1].length > MAX_SECRET_LENGTH) throw unauthorized('invalid token', true);
  return match[1];
}

function unauthorized(message: string, invalidToken: boolean): ApiError {
  const challenge = invalidToken ? `${REALM}, error="invalid_token"` : REALM;
  return new ApiError(401, 'unauthorized', message, undefined, { 'WWW-Authenticate': challenge });
}

interface Bootstrap {
  role: TokenRole;
  hash: Buffer;
}

function bindingOf(record: TokenRecord): ProbeBinding | null {
  const { probeId, app, region } = record;
  return probeId !== null && app !== null && region !== null ? { probeId, app, region } : null;
}

/**
 * Establishes the caller from the bearer token: bootstrap secrets first (every listed one, so a current and
 * a next secret both work during a rotation), then the token store. Expired tokens are refused like unknown ones.
 */
export function authenticate(deps: Pick<ApiDeps, 'store' | 'settings' | 'now'>): MiddlewareHandler<ApiEnv> {
  const bootstrap: Bootstrap[] = [
    ...deps.settings.adminTokens.map((s) => ({ role: 'admin' as const, hash: sha256(s) })),
    ...deps.settings.readTokens.map((s) => ({ role: 'read' as const, hash: sha256(s) })),
  ];
  return async (c, next) => {
    const secret = bearerSecret(c.req.header('authorization'));
    const hash = sha256(secret);
    let caller: Caller | undefined;
    // Every bootstrap secret is compared, matched or not, so timing does not tell which one exists.
    for (const b of bootstrap) {
      if (secretMatches(hash, b.hash) && !caller)
        caller = { role: b.role, tokenId: `bootstrap:${b.role}`, binding: null };
    }
    if (!caller) {
      const record = await deps.store.findTokenBySecret(secret);
      if (record && record.expiresAt !== null && record.expiresAt <= deps.now())
        throw unauthorized(`token expired at ${new Date(record.expiresAt).toISOString()}`, true);
      if (record) caller = { role: record.role, tokenId: record.id, binding: bindingOf(record) };
    }
    if (!caller) throw unauthorized('invalid or revoked token', true);
    c.set('caller', caller);
    await next();
  };
}

/** "an admin token", "a read token". */
const article = (word: string): string => (/^[aeiou]/.test(word) ? 'an' : 'a');

export function requireRole(...allowed: TokenRole[]): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const caller = c.get('caller');
    if (!roleAllows(caller.role, allowed)) {
      throw new ApiError(
        403,
        'forbidden',
        `this endpoint needs ${article(allowed[0] ?? '')} ${allowed.join(' or ')} token; yours is ${caller.role}`,
      );
    }
    await next();
  };
}
