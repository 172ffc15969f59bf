import { identifier, machineRegion, parseWith, plainText } from '@flyprobe/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import type { NewToken, TokenRecord } from '../../store/store.ts';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { ApiError, validationError } from '../errors.ts';
import { requireRole } from '../middleware/auth.ts';
import { readJsonBody } from '../middleware/body.ts';
import { parseTimestamp } from '../timestamp.ts';

const TIMESTAMP_MESSAGE = 'must be Unix epoch milliseconds or an RFC 3339 date-time';

const tokenRequest = z.strictObject({
  role: z.enum(['probe', 'read', 'admin'], { message: 'must be one of probe, read, admin' }),
  probeId: identifier.optional(),
  app: identifier.optional(),
  region: machineRegion.optional(),
  name: plainText(64).min(1, { message: 'must not be empty' }).optional(),
  expiresAt: z
    .union([z.number().int().nonnegative(), z.string().max(64)], { message: TIMESTAMP_MESSAGE })
    .optional(),
});

/** The answer of `POST /v1/tokens`: the record and, this once, its secret. */
export type CreatedToken = TokenRecord & { secret: string };

/** Validates a token request; a probe token is bound to probeId + app + region unless unbound ones are allowed. */
function parseTokenRequest(input: unknown, allowUnbound: boolean, now: number): NewToken {
  const r = parseWith(tokenRequest, input);
  if (!r.ok) throw validationError(r.errors, 'token request');
  const { expiresAt: rawExpiry, ...body } = r.value;
  const errors: { field: string; message: string }[] = [];
  const binding = (['probeId', 'app', 'region'] as const).filter((k) => body[k] !== undefined);
  if (body.role !== 'probe') {
    for (const k of binding) errors.push({ field: k, message: 'only probe tokens are bound to a probe' });
  } else if (binding.length < 3 && (binding.length > 0 || !allowUnbound)) {
    for (const k of ['probeId', 'app', 'region'] as const)
      if (body[k] === undefined)
        errors.push({
          field: k,
          message:
            'is required: a probe token is bound to probeId, app and region (unbound tokens need FLYPROBE_ALLOW_UNBOUND_PROBES=1, for local and lab runs only)',
        });
  }
  let expiresAt: number | undefined;
  if (rawExpiry !== undefined) {
    expiresAt = typeof rawExpiry === 'number' ? rawExpiry : parseTimestamp(rawExpiry);
    if (expiresAt === undefined) errors.push({ field: 'expiresAt', message: TIMESTAMP_MESSAGE });
    else if (expiresAt <= now) errors.push({ field: 'expiresAt', message: 'must be in the future' });
  }
  if (errors.length > 0) throw validationError(errors, 'token request');
  return { ...body, ...(expiresAt !== undefined ? { expiresAt } : {}) };
}

/** Token administration (admin only). The secret is returned once, at creation. */
export function tokensRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.post('/v1/tokens', requireRole('admin'), async (c) => {
    const body = await readJsonBody(c, 64 * 1024);
    const input = parseTokenRequest(body, deps.settings.allowUnboundProbes, deps.now());
    const { secret, record } = await deps.store.createToken(input);
    const created: CreatedToken = { ...record, secret };
    return c.json(created, 201);
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
