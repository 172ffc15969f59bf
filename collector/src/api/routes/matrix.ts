import { collectorApi, type MatrixCell, type MatrixResponse, type QueryValues } from '@flyprobe/shared';
import { type Context, Hono } from 'hono';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { route } from '../route.ts';

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

type MatrixQuery = QueryValues<NonNullable<typeof collectorApi.matrix.query>>;

async function matrix(deps: ApiDeps, { window, ...cell }: MatrixQuery): Promise<MatrixResponse> {
  const to = deps.now();
  const from = to - window;
  const cells = await deps.store.matrix({ ...cell, from, to });
  const rows = [...new Set(cells.map((x) => x.from))].sort();
  const columns = [...new Set(cells.map((x) => x.to))].sort();
  return { ...cell, from, to, rows, columns, cells };
}

/** `GET /v1/matrix` (JSON, or CSV with `Accept: text/csv`) and `GET /v1/matrix.csv`. */
export function matrixRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const csv = (c: Context<ApiEnv>, m: MatrixResponse) => {
    c.header('Content-Type', 'text/csv; charset=utf-8');
    return c.body(matrixCsv(m.cells), 200);
  };
  route(app, collectorApi.matrix, async ({ c, query, reply }) => {
    const m = await matrix(deps, query);
    return wantsCsv(c) ? csv(c, m) : reply(200, m);
  });
  route(app, collectorApi.matrixCsv, async ({ c, query }) => csv(c, await matrix(deps, query)));
  return app;
}
