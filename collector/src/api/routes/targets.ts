import { type FieldError, parseWith, type TargetConfig, targetConfig } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { validationError } from '../errors.ts';
import { requireRole } from '../middleware/auth.ts';
import { readJsonBody } from '../middleware/body.ts';
import { atIndex } from '../validation.ts';

/** Same cap as the probe config document carries. */
export const MAX_TARGETS = 200;
const TARGETS_MAX_BYTES = 1024 * 1024;

/** Validates a whole target list: each entry against the shared schema, names unique. */
export function parseTargets(
  input: unknown,
): { ok: true; targets: TargetConfig[] } | { ok: false; errors: FieldError[] } {
  if (!Array.isArray(input))
    return { ok: false, errors: [{ field: '', message: 'must be a JSON array of targets' }] };
  if (input.length > MAX_TARGETS)
    return { ok: false, errors: [{ field: '', message: `at most ${MAX_TARGETS} targets` }] };
  const errors: FieldError[] = [];
  const targets: TargetConfig[] = [];
  const seen = new Map<string, number>();
  input.forEach((raw, index) => {
    const r = parseWith(targetConfig, raw);
    if (!r.ok) {
      errors.push(...atIndex(index, r.errors));
      return;
    }
    const first = seen.get(r.value.name);
    if (first !== undefined)
      errors.push({
        field: `[${index}].name`,
        message: `duplicate target name "${r.value.name}" (also at [${first}])`,
      });
    else seen.set(r.value.name, index);
    targets.push(r.value);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, targets };
}

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
