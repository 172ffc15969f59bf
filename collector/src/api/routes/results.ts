import { Hono } from 'hono';
import type { StoredResult } from '../../store/store.ts';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { requireRole } from '../middleware/auth.ts';
import { QueryReader } from '../validation.ts';

export const MAX_RESULTS_LIMIT = 1000;

export interface ResultsResponse {
  results: StoredResult[];
}

/** `GET /v1/results`: raw results (within raw retention), newest first; evidence for alerts. */
export function resultsRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/v1/results', requireRole('read'), async (c) => {
    const q = new QueryReader(c, [
      'probeId',
      'probeRegion',
      'target',
      'path',
      'protocol',
      'since',
      'until',
      'limit',
    ]);
    const probeId = q.identifier('probeId');
    const probeRegion = q.region('probeRegion');
    const target = q.identifier('target');
    const path = q.path('path');
    const protocol = q.protocol('protocol');
    const from = q.time('since');
    const to = q.time('until');
    const limit = q.integer('limit', 100, 1, MAX_RESULTS_LIMIT);
    if (from !== undefined && to !== undefined && from > to)
      q.errors.push({ field: 'since', message: 'must not be after until' });
    q.done();
    const filter = { probeId, probeRegion, target, path, protocol, from, to };
    const defined = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
    const body: ResultsResponse = { results: await deps.store.listResults({ ...defined, limit }) };
    return c.json(body);
  });
  return app;
}
