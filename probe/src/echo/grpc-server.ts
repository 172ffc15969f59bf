import { hostPort } from '@flyprobe/shared';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { addEchoService } from './grpc-service.ts';
import type { EchoIdentity } from './identity.ts';

export interface RunningGrpcEcho {
  port: number;
  close(): Promise<void>;
}

/** Graceful gRPC shutdown (GOAWAY, in-flight calls finish); open tick streams are cut after a grace period. */
function shutdown(server: Server, graceMs = 1000): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.forceShutdown(), graceMs);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

/** The gRPC echo service on its own grpc-js server; on a bind failure the server is shut down again. */
export async function startGrpcEcho(
  identity: EchoIdentity,
  host: string,
  port: number,
): Promise<RunningGrpcEcho> {
  const server = new Server();
  addEchoService(server, identity);
  const close = () => shutdown(server);
  try {
    const bound = await new Promise<number>((resolve, reject) => {
      server.bindAsync(hostPort(host, port), ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      );
    });
    return { port: bound, close };
  } catch (err) {
    await close();
    throw err;
  }
}
