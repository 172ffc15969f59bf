import type { MatrixMetric, NetworkPath, Protocol, RegionCode, SeriesPoint } from '@flyprobe/shared';
import { Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { requireRole } from '../middleware/auth.ts';
import { formatDuration, QueryReader } from '../validation.ts';
import { MAX_WINDOW_MS, MINUTE_MS } from './matrix.ts';

/** Bound on points per answer, so a long window with a small step cannot ask for millions. */
export const MAX_SERIES_POINTS = 2000;
const DEFAULT_POINTS = 120;

export interface SeriesResponse {
  target: string;
  path: NetworkPath;
  protocol: Protocol;
  metric: MatrixMetric;
  fromRegion: RegionCode;
  toRegion: RegionCode;
  /** Window start and end, Unix epoch ms. */
  from: number;
  to: number;
  stepMs: number;
  points: SeriesPoint[];
}

/** A whole number of minutes giving about DEFAULT_POINTS points over the window. */
function defaultStep(windowMs: number): number {
  return Math.max(1, Math.ceil(windowMs / DEFAULT_POINTS / MINUTE_MS)) * MINUTE_MS;
}

/** `GET /v1/series`: one matrix cell over time. */
export function seriesRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/v1/series', requireRole('read'), async (c) => {
    const q = new QueryReader(c, ['target', 'path', 'protocol', 'metric', 'from', 'to', 'window', 'step']);
    const target = q.required(q.identifier('target'), 'target');
    const path = q.path('path', 'anycast') ?? 'anycast';
    const protocol = q.protocol('protocol', 'http') ?? 'http';
    const metric = q.metric('metric', 'p50');
    const fromRegion = q.required(q.region('from'), 'from');
    const toRegion = q.required(q.region('to'), 'to');
    const windowMs = q.duration('window', 60 * MINUTE_MS, MINUTE_MS, MAX_WINDOW_MS);
    const stepMs = q.duration('step', defaultStep(windowMs), MINUTE_MS, MAX_WINDOW_MS);
    if (stepMs % MINUTE_MS !== 0)
      q.errors.push({ field: 'step', message: 'must be a whole number of minutes' });
    else if (windowMs / stepMs > MAX_SERIES_POINTS) {
      q.errors.push({
        field: 'step',
        message: `gives more than ${MAX_SERIES_POINTS} points over ${formatDuration(windowMs)}; use at least ${formatDuration(Math.ceil(windowMs / MAX_SERIES_POINTS / MINUTE_MS) * MINUTE_MS)}`,
      });
    }
    q.done();
    const to = deps.now();
    const from = to - windowMs;
    const points = await deps.store.series({
      target,
      path,
      protocol,
      metric,
      from,
      to,
      fromRegion,
      toRegion,
      stepMs,
    });
    const body: SeriesResponse = {
      target,
      path,
      protocol,
      metric,
      fromRegion,
      toRegion,
      from,
      to,
      stepMs,
      points,
    };
    return c.json(body);
  });
  return app;
}
