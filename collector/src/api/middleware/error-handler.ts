import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { countRefusedBatch } from '../ingest-metrics.ts';

function send(c: Context, err: ApiError): Response {
  if (err.headers) for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
  return c.json(err.toBody(), err.status);
}

/** Every error becomes the JSON error body; anything unexpected is logged and answered 500 without details. */
export function errorHandler(deps: Pick<ApiDeps, 'metrics' | 'log'>): ErrorHandler<ApiEnv> {
  return (err, c) => {
    let apiError: ApiError;
    if (err instanceof ApiError) apiError = err;
    else if (err instanceof HTTPException && err.status < 500) {
      apiError = new ApiError(
        err.status === 413 ? 413 : 400,
        err.status === 413 ? 'payload_too_large' : 'bad_request',
        err.message,
      );
    } else {
      deps.log('error', 'unhandled error', {
        method: c.req.method,
        path: c.req.path,
        error: String(err?.stack ?? err),
      });
      apiError = new ApiError(500, 'internal', 'internal error; see the collector log');
    }
    if (c.req.path === '/v1/ingest') countRefusedBatch(deps.metrics, apiError);
    return send(c, apiError);
  };
}

export const notFound: NotFoundHandler<ApiEnv> = (c) =>
  c.json({ error: { code: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` } }, 404);
