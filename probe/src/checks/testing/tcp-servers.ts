import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';

/** A port nothing listens on: bound, then closed. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A loopback TCP server handing each connection to `onSocket`; pushed onto `servers` for closing. */
export async function tcpServer(servers: Server[], onSocket: (s: Socket) => void): Promise<number> {
  const s = createServer(onSocket);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}
