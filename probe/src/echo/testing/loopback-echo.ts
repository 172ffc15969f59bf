import type { EchoIdentity } from '../identity.ts';
import { type RunningEcho, startEchoServer } from '../server.ts';

/** An echo target on 127.0.0.1 with a free port for each of HTTP, TCP and gRPC, as tests and benchmarks use it. */
export function startLoopbackEcho(identity: EchoIdentity): Promise<RunningEcho> {
  return startEchoServer({ identity, host: '127.0.0.1', httpPort: 0, tcpPort: 0, grpcPort: 0 });
}
