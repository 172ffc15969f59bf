import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';

/** The HTTP/2 client connection preface; a connection starting with it speaks h2c with prior knowledge. */
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
/** A client that sends nothing for this long is dropped before it is handed to either server. */
const SNIFF_TIMEOUT_MS = 10_000;

export type DualRequestListener = (
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
) => void;

export interface DualServer {
  /** The listening front server; `close()` also closes the HTTP servers and their connections. */
  server: Server;
  close(): Promise<void>;
}

/**
 * The socket as a Duplex that first yields `head`: node:http2 reads a net.Socket's handle directly and
 * would miss bytes pushed back with unshift, but it reads a generic Duplex through JS.
 */
function replay(socket: Socket, head: Buffer): Duplex {
  const duplex = new Duplex({
    read: () => {
      socket.resume();
    },
    write: (chunk: Buffer, _enc, cb) => {
      socket.write(chunk, cb);
    },
    final: (cb) => {
      socket.end(cb);
    },
    destroy: (err, cb) => {
      socket.destroy(err ?? undefined);
      cb(err);
    },
  });
  duplex.push(head);
  socket.on('data', (chunk: Buffer) => {
    if (!duplex.push(chunk)) socket.pause();
  });
  socket.on('end', () => duplex.push(null));
  socket.on('close', () => duplex.destroy());
  return duplex;
}

/**
 * One port for HTTP/1.1 and h2c: reads the first bytes of each connection and hands the socket,
 * with those bytes pushed back, to an http or http2 server.
 */
export function createH1H2cServer(listener: DualRequestListener): DualServer {
  const h1 = createHttpServer(listener);
  const h2 = createHttp2Server(listener);
  const sessions = new Set<import('node:http2').Http2Session>();
  h2.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  const sockets = new Set<Socket>();
  const front = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let head = Buffer.alloc(0);
    socket.setTimeout(SNIFF_TIMEOUT_MS, () => socket.destroy());
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const n = Math.min(head.length, H2_PREFACE.length);
      const isH2 = head.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
      if (isH2 && head.length < H2_PREFACE.length) return;
      socket.off('data', onData);
      socket.setTimeout(0);
      if (isH2) {
        h2.emit('connection', replay(socket, head));
      } else {
        socket.pause();
        socket.unshift(head);
        h1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  });
  return {
    server: front,
    close: () =>
      new Promise((resolve) => {
        front.close(() => resolve());
        for (const s of sessions) s.destroy();
        h1.closeAllConnections();
        for (const s of sockets) s.destroy();
      }),
  };
}
