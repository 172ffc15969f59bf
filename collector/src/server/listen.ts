import type { AddressInfo } from 'node:net';
import type { Logger } from '@flyprobe/shared';
import { hostPort } from '@flyprobe/shared';
import { serve } from '@hono/node-server';
import type { Lifecycle } from '../process/lifecycle.ts';

export interface Listening {
  /** Reachable from this host, e.g. `http://127.0.0.1:8080` when bound to `::`. */
  url: string;
  /** The address really bound, e.g. `http://[::]:8080`. */
  boundUrl: string;
  port: number;
  /**
   * Stops accepting, waits up to `timeoutMs` for requests in flight (`lifecycle` counts them), then closes
   * idle keep-alive connections and cuts any still open. Resolves `drained`: false when the timeout hit.
   */
  close(lifecycle: Lifecycle, timeoutMs: number, log: Logger): Promise<boolean>;
}

function reachableUrl(host: string, port: number): string {
  if (host === '::' || host === '0.0.0.0' || host === '') return `http://127.0.0.1:${port}`;
  return `http://${hostPort(host, port)}`;
}

/** Serves `fetch` on host:port; resolves once listening. */
export async function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  host: string,
  port: number,
): Promise<Listening> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch, hostname: host, port }, () => resolve(s));
    s.once('error', reject);
  });
  // Bounds a slow or stalled client (body trickling in) while leaving room for an 8 MiB batch.
  if ('requestTimeout' in server) server.requestTimeout = 60_000;
  const bound = server.address() as AddressInfo;
  return {
    url: reachableUrl(host, bound.port),
    boundUrl: `http://${hostPort(bound.address, bound.port)}`,
    port: bound.port,
    async close(lifecycle, timeoutMs, log) {
      lifecycle.beginShutdown();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      const drained = await lifecycle.drain(timeoutMs);
      if (!drained) log('warn', 'shutdown timeout: closing connections with requests still in flight');
      // Keep-alive connections are idle once their last response left; a stuck one is cut at the deadline.
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      const deadline = setTimeout(
        () => {
          if ('closeAllConnections' in server) server.closeAllConnections();
        },
        drained ? 1000 : 0,
      );
      await closed;
      clearTimeout(deadline);
      return drained;
    },
  };
}
