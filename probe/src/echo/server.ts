import type { AddressInfo, Server as NetServer } from 'node:net';
import { hostPort } from '@flyprobe/shared';
import { Server as GrpcServer, ServerCredentials } from '@grpc/grpc-js';
import { getRequestListener } from '@hono/node-server';
import { addEchoService } from './grpc-service.ts';
import { createH1H2cServer, type DualRequestListener } from './h1-h2c.ts';
import { echoApp } from './http-app.ts';
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

function bindGrpc(server: GrpcServer, host: string, port: number): Promise<number> {
  const address = hostPort(host, port);
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });
}

/** Graceful gRPC shutdown (GOAWAY, in-flight calls finish); open tick streams are cut after a grace period. */
function shutdownGrpc(server: GrpcServer, graceMs = 1000): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.forceShutdown(), graceMs);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

/** Starts the standalone echo server: HTTP (h1 + h2c) with /healthz, the TCP echo and the gRPC echo service. */
export async function startEchoServer(options: EchoServerOptions): Promise<RunningEcho> {
  const host = options.host ?? '::';
  const http = createH1H2cServer(getRequestListener(echoApp(options.identity).fetch) as DualRequestListener);
  const tcp = createTcpEchoServer(options.identity);
  const grpc = new GrpcServer();
  addEchoService(grpc, options.identity);
  const close = async (): Promise<void> => {
    await Promise.allSettled([http.close(), tcp.close(), shutdownGrpc(grpc)]);
  };
  try {
    const httpPort = await listen(http.server, host, options.httpPort ?? 8080);
    const tcpPort = await listen(tcp.server, host, options.tcpPort ?? 7070);
    const grpcPort = await bindGrpc(grpc, host, options.grpcPort ?? 50051);
    return { host, httpPort, tcpPort, grpcPort, close };
  } catch (err) {
    await close();
    throw err;
  }
}
