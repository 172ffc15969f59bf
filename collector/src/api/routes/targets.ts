import { parseTargets } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { validationError } from '../errors.ts';
import { requireRole } from '../middleware/auth.ts';
import { readJsonBody } from '../middleware/body.ts';

const TARGETS_MAX_BYTES = 1024 * 1024;

/** `GET /v1/targets` (read) and `PUT /v1/targets` (admin): the target list every probe runs. */
export function targetsRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/v1/targets', requireRole('read'), async (c) => c.json(await deps.store.getTargets()));
  app.put('/v1/targets', requireRole('admin'), async (c) => {
    const parsed = parseTargets(await readJsonBody(c, TARGETS_MAX_BYTES));
    if (!parsed.ok) throw validationError(parsed.errors, 'targets');
    const { revision } = await deps.store.putTargets(parsed.targets);
    return c.json({ revision, targets: parsed.targets });
  });
  return app;
}
