import { collectorApi } from '@flyprobe/shared';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { ApiDeps } from '../deps.ts';
import type { ApiEnv } from '../env.ts';
import { ApiError } from '../errors.ts';

/**
 * Counts requests in flight (graceful stop waits for them), refuses new ones once shutting down,
 * and records request durations by matched route so the label stays bounded.
 */
export function trackRequests(deps: Pick<ApiDeps, 'lifecycle' | 'metrics'>): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (deps.lifecycle.shuttingDown && !collectorApi.SERVED_WHILE_STOPPING.includes(c.req.path)) {
      throw new ApiError(
        503,
        'shutting_down',
        'the collector is shutting down; retry against another instance or later',
        undefined,
        { Connection: 'close', 'Retry-After': '5' },
      );
    }
    const started = process.hrtime.bigint();
    deps.lifecycle.enter();
    deps.metrics.inFlight.inc();
    try {
      await next();
    } finally {
      deps.metrics.inFlight.dec();
      // The request counts until its response has left, so a graceful stop never cuts one off mid-write.
      const outgoing = c.env?.outgoing;
      if (outgoing && !outgoing.writableFinished && !outgoing.destroyed) {
        let left = false;
        const leave = () => {
          if (!left) deps.lifecycle.leave();
          left = true;
        };
        outgoing.once('finish', leave);
        outgoing.once('close', leave);
      } else deps.lifecycle.leave();
      const route = c.finalized || c.res ? routePath(c, -1) : 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.metrics.requestDuration.observe(
        { method: c.req.method, route, status: String(c.res.status) },
        seconds,
      );
    }
  };
}
