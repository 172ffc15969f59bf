import type { AddressInfo, Server as NetServer } from 'node:net';
import type { RunningGrpcEcho } from './grpc-server.ts';
import { createH1H2cServer, type DualRequestListener } from './h1-h2c.ts';
import type { EchoIdentity } from './identity.ts';
import { createTcpEchoServer } from './tcp-echo.ts';

export interface EchoServerOptions {
  identity: EchoIdentity;
  /** Bind address (default `::`, which also accepts IPv4 on dual-stack hosts). */
  host?: string;
  /** HTTP/1.1 + h2c port (default 8080; 0 picks a free one). */
  httpPort?: number;
  /** TCP echo port (default 7070). */
  tcpPort?: number;
  /** gRPC echo port (default 50051). */
  grpcPort?: number;
}

export interface RunningEcho {
  host: string;
  httpPort: number;
  tcpPort: number;
  grpcPort: number;
  close(): Promise<void>;
}

function listen(server: NetServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Starts the standalone echo server: HTTP (h1 + h2c) with /healthz, the TCP echo and the gRPC echo service.
 * Hono and grpc-js are imported here, not at module load, so a probe with its echo server off never loads
 * them (the probe's own gRPC checks speak node:http2).
 */
export async function startEchoServer(options: EchoServerOptions): Promise<RunningEcho> {
  const host = options.host ?? '::';
  const [{ getRequestListener }, { echoApp }, { startGrpcEcho }] = await Promise.all([
    import('@hono/node-server'),
    import('./http-app.ts'),
    import('./grpc-server.ts'),
  ]);
  const http = createH1H2cServer(getRequestListener(echoApp(options.identity).fetch) as DualRequestListener);
  const tcp = createTcpEchoServer(options.identity);
  let grpc: RunningGrpcEcho | undefined;
  const close = async (): Promise<void> => {
    await Promise.allSettled([http.close(), tcp.close(), grpc?.close()]);
  };
  try {
    const httpPort = await listen(http.server, host, options.httpPort ?? 8080);
    const tcpPort = await listen(tcp.server, host, options.tcpPort ?? 7070);
    grpc = await startGrpcEcho(options.identity, host, options.grpcPort ?? 50051);
    return { host, httpPort, tcpPort, grpcPort: grpc.port, close };
  } catch (err) {
    await close();
    throw err;
  }
}
