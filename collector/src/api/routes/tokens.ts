import { collectorApi, parseTimestamp, TIMESTAMP_MESSAGE, type TokenRequest } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { NewToken } from '../../store/store.ts';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { ApiError, validationError } from '../errors.ts';
import { route } from '../route.ts';

/** Checks a parsed token request; a probe token is bound to probeId + app + region unless unbound ones are allowed. */
function checkTokenRequest(request: TokenRequest, allowUnbound: boolean, now: number): NewToken {
  const { expiresAt: rawExpiry, ...body } = request;
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
  route(app, collectorApi.createToken, async ({ body, reply }) => {
    const input = checkTokenRequest(body, deps.settings.allowUnboundProbes, deps.now());
    const { secret, record } = await deps.store.createToken(input);
    return reply(201, { ...record, secret });
  });
  route(app, collectorApi.listTokens, async ({ reply }) =>
    reply(200, { tokens: await deps.store.listTokens() }),
  );
  route(app, collectorApi.revokeToken, async ({ params: { id }, c }) => {
    if (!(await deps.store.revokeToken(id))) throw new ApiError(404, 'not_found', `id: no token "${id}"`);
    return c.body(null, 204);
  });
  return app;
}
