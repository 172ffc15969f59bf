import { type FieldError, identifier } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { TokenRole } from '../../store/store.ts';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { ApiError, validationError } from '../errors.ts';
import { requireRole } from '../middleware/auth.ts';
import { readJsonBody } from '../middleware/body.ts';

const ROLES: readonly TokenRole[] = ['probe', 'read', 'admin'];
const KNOWN_FIELDS = ['role', 'probeId', 'name'];

function parseTokenRequest(input: unknown): { role: TokenRole; probeId?: string; name?: string } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw validationError([{ field: '', message: 'must be a JSON object' }], 'token request');
  }
  const body = input as Record<string, unknown>;
  const errors: FieldError[] = [];
  const unknown = Object.keys(body).filter((k) => !KNOWN_FIELDS.includes(k));
  if (unknown.length > 0) errors.push({ field: '', message: `unknown field(s): ${unknown.join(', ')}` });
  const role = body.role;
  if (typeof role !== 'string' || !ROLES.includes(role as TokenRole)) {
    errors.push({ field: 'role', message: `must be one of ${ROLES.join(', ')}` });
  }
  let probeId: string | undefined;
  if (body.probeId !== undefined) {
    const r = identifier.safeParse(body.probeId);
    if (r.success) probeId = r.data;
    else errors.push({ field: 'probeId', message: r.error.issues[0]?.message ?? 'invalid' });
    if (role !== 'probe')
      errors.push({ field: 'probeId', message: 'only probe tokens are bound to a probe id' });
  }
  let name: string | undefined;
  if (body.name !== undefined) {
    if (typeof body.name !== 'string' || body.name.length < 1 || body.name.length > 64) {
      errors.push({ field: 'name', message: 'must be a string of 1 to 64 characters' });
    } else name = body.name;
  }
  if (errors.length > 0) throw validationError(errors, 'token request');
  return { role: role as TokenRole, ...(probeId ? { probeId } : {}), ...(name ? { name } : {}) };
}

/** Token administration (admin only). The secret is returned once, at creation. */
export function tokensRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.post('/v1/tokens', requireRole('admin'), async (c) => {
    const input = parseTokenRequest(await readJsonBody(c, 64 * 1024));
    const { token, record } = await deps.store.createToken(input);
    return c.json({ token, record }, 201);
  });
  app.get('/v1/tokens', requireRole('admin'), async (c) => c.json({ tokens: await deps.store.listTokens() }));
  app.delete('/v1/tokens/:id', requireRole('admin'), async (c) => {
    const id = c.req.param('id');
    if (id.length > 128) throw new ApiError(400, 'bad_request', 'id: must be at most 128 characters');
    if (!(await deps.store.revokeToken(id))) throw new ApiError(404, 'not_found', `id: no token "${id}"`);
    return c.body(null, 204);
  });
  return app;
}
