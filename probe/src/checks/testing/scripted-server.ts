import { type AddressInfo, createServer, type Socket } from 'node:net';

/** What the server answers to one request: bytes written in pieces, with small pauses between them. */
export interface Script {
  wire: Buffer;
  /** Sizes of the successive writes (the rest goes in one last write). */
  pieces: number[];
  /** Milliseconds to wait before each write after the first. */
  delaysMs: number[];
  /** End the connection (FIN) after the last write. */
  end: boolean;
}

/** A raw TCP server that answers each request on a connection with `next()`'s script. */
export interface ScriptedServer {
  port: number;
  /** Connections accepted so far. */
  connections: number;
  /** Requests read so far (a request is a head ending in an empty line). */
  requests: number;
  /** Sockets still open. */
  readonly open: Set<Socket>;
  close(): Promise<void>;
}

function send(socket: Socket, script: Script): void {
  const { wire, pieces, delaysMs } = script;
  let at = 0;
  let step = 0;
  const write = (): void => {
    if (socket.destroyed) return;
    const size = step < pieces.length ? (pieces[step] as number) : wire.length - at;
    const piece = wire.subarray(at, Math.min(wire.length, at + size));
    at += piece.length;
    step++;
    if (at >= wire.length) {
      if (script.end) socket.end(piece);
      else socket.write(piece);
      return;
    }
    socket.write(piece);
    setTimeout(write, delaysMs[step - 1] ?? 0);
  };
  write();
}

/** Starts a scripted server on 127.0.0.1; `next` is asked for a script per request. */
export async function scriptedServer(next: () => Script): Promise<ScriptedServer> {
  const open = new Set<Socket>();
  const state = { connections: 0, requests: 0 };
  const server = createServer((socket) => {
    state.connections++;
    open.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => open.delete(socket));
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        pending = pending.slice(end + 4);
        state.requests++;
        send(socket, next());
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return state.connections;
    },
    get requests() {
      return state.requests;
    },
    open,
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
