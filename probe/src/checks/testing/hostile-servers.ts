import { createServer as createHttp2Server, type Http2Session, type ServerHttp2Stream } from 'node:http2';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { ECHO_SERVICE } from '@flyprobe/shared';
import { afterEach } from 'vitest';
import { frameMessage } from '../grpc/frames.ts';
import { echoPackageDefinition } from '../grpc/proto.ts';

/** A loopback server for hostile-target tests; `close()` also drops its connections and timers. */
export interface HostileServer {
  port: number;
  close(): Promise<void>;
}

/** `track(server)` gives the server's port and closes it after the current test. */
export function closedAfterEach(): (server: HostileServer) => number {
  const started: HostileServer[] = [];
  afterEach(async () => {
    for (const server of started.splice(0)) await server.close();
  });
  return (server) => {
    started.push(server);
    return server.port;
  };
}

/** A raw TCP server; `onSocket` may register timers with `track` so close() clears them. */
export async function rawServer(
  onSocket: (socket: Socket, track: (t: NodeJS.Timeout) => void) => void,
): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket, (t) => timers.add(t));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const t of timers) clearInterval(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One encoded Tick message, framed for the wire. */
export function tickFrame(seq: number): Buffer {
  const method = (
    echoPackageDefinition()[ECHO_SERVICE] as unknown as {
      Ticks: { responseSerialize(v: unknown): Buffer };
    }
  ).Ticks;
  return frameMessage(method.responseSerialize({ seq, sentAt: Date.now() }));
}

/** A raw HTTP/2 "gRPC" server: `onStream` decides how each call misbehaves. */
export async function rawGrpcServer(
  onStream: (stream: ServerHttp2Stream, session: Http2Session) => void,
): Promise<HostileServer> {
  const sessions = new Set<Http2Session>();
  const server = createHttp2Server();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    s.on('error', () => {});
  });
  server.on('stream', (stream) => {
    stream.on('error', () => {});
    onStream(stream, stream.session as Http2Session);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}
