import type { MatrixCell, MatrixResponse } from '@flyprobe/shared';
import { type Context, Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { requireRole } from '../middleware/auth.ts';
import { QueryReader } from '../validation.ts';

export const MINUTE_MS = 60_000;
export const MAX_WINDOW_MS = 90 * 24 * 60 * MINUTE_MS;

const CSV_HEADER = 'from,to,value,samples,floor_ms,inflation';

function csvNumber(v: number | null): string {
  return v === null ? '' : String(v);
}

/** One row per cell, header first; region codes never need quoting. */
export function matrixCsv(cells: MatrixCell[]): string {
  const lines = [CSV_HEADER];
  for (const c of cells) {
    lines.push(
      [
        c.from,
        c.to,
        csvNumber(c.value),
        String(c.samples),
        csvNumber(c.floorMs),
        csvNumber(c.inflation),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

function wantsCsv(c: Context): boolean {
  const accept = c.req.header('accept') ?? '';
  return /\btext\/csv\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept.split(',')[0] ?? '');
}

async function matrix(deps: ApiDeps, c: Context<ApiEnv>): Promise<MatrixResponse> {
  const q = new QueryReader(c, ['target', 'path', 'protocol', 'metric', 'window']);
  const target = q.required(q.identifier('target'), 'target');
  const path = q.path('path', 'anycast') ?? 'anycast';
  const protocol = q.protocol('protocol', 'http') ?? 'http';
  const metric = q.metric('metric', 'p50');
  const windowMs = q.duration('window', 15 * MINUTE_MS, MINUTE_MS, MAX_WINDOW_MS);
  q.done();
  const to = deps.now();
  const from = to - windowMs;
  const cells = await deps.store.matrix({ target, path, protocol, metric, from, to });
  const rows = [...new Set(cells.map((x) => x.from))].sort();
  const columns = [...new Set(cells.map((x) => x.to))].sort();
  return { target, path, protocol, metric, from, to, rows, columns, cells };
}

/** `GET /v1/matrix` (JSON, or CSV with `Accept: text/csv`) and `GET /v1/matrix.csv`. */
export function matrixRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const csv = (c: Context<ApiEnv>, m: MatrixResponse) => {
    c.header('Content-Type', 'text/csv; charset=utf-8');
    return c.body(matrixCsv(m.cells), 200);
  };
  app.get('/v1/matrix', requireRole('read'), async (c) => {
    const m = await matrix(deps, c);
    return wantsCsv(c) ? csv(c, m) : c.json(m);
  });
  app.get('/v1/matrix.csv', requireRole('read'), async (c) => csv(c, await matrix(deps, c)));
  return app;
}
