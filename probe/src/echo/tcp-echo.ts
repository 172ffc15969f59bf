import { createServer, type Server, type Socket } from 'node:net';
import type { EchoIdentity } from './identity.ts';
import { echoReply } from './reply.ts';

/** Longest request line; longer input closes the connection. */
const MAX_LINE_BYTES = 256;
/** An idle connection is closed after this long. */
const IDLE_MS = 60_000;

/*
 * TCP echo line protocol. The client writes one line `<nonce>\n` (at most 256 bytes, no spaces);
 * the server answers `<nonce> <echo JSON>\n` on one line, where the JSON is the shared `echoResponse`
 * with protocol "tcp". A client reads the nonce first (round trip), then the JSON (who served).
 * A plain RFC 862 echo server answers `<nonce>\n`, which the probe accepts without echo info.
 * Several lines may be sent on one connection; each gets its own answer.
 */
function serveConnection(socket: Socket, identity: EchoIdentity): void {
  let buf = '';
  socket.setNoDelay(true);
  socket.setTimeout(IDLE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    buf += chunk.toString('utf8');
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const nonce = buf.slice(0, nl).replace(/\r$/, '').trim();
      buf = buf.slice(nl + 1);
      socket.write(`${nonce} ${JSON.stringify(echoReply(identity, 'tcp'))}\n`);
    }
    if (buf.length > MAX_LINE_BYTES) socket.destroy();
  });
}

export interface TcpEchoServer {
  server: Server;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** A TCP echo server speaking the line protocol above (not yet listening). */
export function createTcpEchoServer(identity: EchoIdentity): TcpEchoServer {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, identity);
  });
  return {
    server,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
