import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createH2cServer } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Script, scriptedServer } from '../testing/scripted-server.ts';
import { specFor } from '../testing/spec.ts';
import { httpCheck } from './run.ts';
import type { HttpSpec } from './spec.ts';

/* How many connections the http check opens: one per measurement, or one kept across a keepAlive check's runs. */
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const RUNS = 5;

/** A node:http server counting accepted sockets and the requests each one carried. */
async function countingServer(
  handler: Parameters<typeof createHttpServer>[1] = (_req, res) => res.end('ok'),
): Promise<{ port: number; perSocket: Map<Socket, number> }> {
  const perSocket = new Map<Socket, number>();
  const server: Server = createHttpServer((req, res) => {
    perSocket.set(req.socket, (perSocket.get(req.socket) ?? 0) + 1);
    handler(req, res);
  });
  server.on('connection', (s: Socket) => perSocket.set(s, 0));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return { port: (server.address() as AddressInfo).port, perSocket };
}

async function runs(spec: HttpSpec, n = RUNS) {
  const outs = [];
  for (let i = 0; i < n; i++) outs.push(await httpCheck.run(spec));
  for (const out of outs) expect(out.outcome, out.errorMessage).toBe('ok');
  return outs;
}

const scripted = (wire: string, end = false): Script => ({
  wire: Buffer.from(wire),
  pieces: [],
  delaysMs: [],
  end,
});

describe('http check connections', () => {
  it('opens exactly one connection per measurement, carrying one request, without keepAlive', async () => {
    const { port, perSocket } = await countingServer();
    await runs(specFor(httpCheck, port, { target: 'fresh' }));
    expect([...perSocket.values()]).toEqual(Array(RUNS).fill(1));
  });

  it('reuses exactly one connection for every run of a keepAlive check', async () => {
    const { port, perSocket } = await countingServer();
    const outs = await runs(specFor(httpCheck, port, { target: 'kept', keepAlive: true }));
    expect([...perSocket.values()]).toEqual([RUNS]);
    expect(outs[0]?.phases.connect).toBeGreaterThan(0);
    for (const out of outs.slice(1)) expect(out.phases.connect).toBeUndefined();
  });

  it('parks and takes a kept connection many times without piling up listeners on it', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const { port, perSocket } = await countingServer();
      const h2 = createH2cServer((_req, res) => res.end('ok'));
      await new Promise<void>((r) => h2.listen(0, '127.0.0.1', r));
      closers.push(() => new Promise((r) => h2.close(() => r())));
      const h2Port = (h2.address() as AddressInfo).port;
      await runs(specFor(httpCheck, port, { target: 'many', keepAlive: true }), 15);
      await runs(specFor(httpCheck, h2Port, { target: 'many-h2', keepAlive: true, http2: true }), 15);
      await new Promise((r) => setImmediate(r));
      expect([...perSocket.values()]).toEqual([15]);
      expect(warnings.map((w) => w.message)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('reuses one HTTP/2 (h2c) connection for a keepAlive check', async () => {
    let connections = 0;
    const server = createH2cServer((_req, res) => res.end('ok'));
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    const outs = await runs(
      specFor(httpCheck, (server.address() as AddressInfo).port, {
        target: 'kept-h2',
        keepAlive: true,
        http2: true,
      }),
    );
    expect(outs.map((o) => o.httpVersion)).toEqual(Array(RUNS).fill('2'));
    expect(connections).toBe(1);
    // A fresh-connection h2 check beside it opens its own.
    const fresh = await httpCheck.run(
      specFor(httpCheck, (server.address() as AddressInfo).port, { target: 'fresh-h2', http2: true }),
    );
    expect(connections).toBe(2);
    expect(fresh.httpVersion).toBe('2');
  });

  it.each([
    [
      'the server said Connection: close',
      'HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok',
      false,
    ],
    ['the body was close-delimited', 'HTTP/1.1 200 OK\r\n\r\nok', true],
    ['it was HTTP/1.0 without keep-alive', 'HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok', false],
    ['bytes followed the response', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokEXTRA', false],
  ])('does not reuse a keepAlive connection when %s', async (_name, wire, end) => {
    const server = await scriptedServer(() => scripted(wire, end));
    closers.push(server.close);
    const outs = await runs(specFor(httpCheck, server.port, { target: 'no-reuse', keepAlive: true }), 3);
    for (const out of outs) expect(out.phases.connect).toBeGreaterThan(0);
    expect(server.connections).toBe(3);
    expect(server.requests).toBe(3);
  });

  it('does not reuse a keepAlive connection whose body passed the cap', async () => {
    const { port, perSocket } = await countingServer((_req, res) => res.end(Buffer.alloc(4096)));
    const outs = await runs(
      specFor(httpCheck, port, { target: 'capped', keepAlive: true, maxBodyBytes: 100 }),
      3,
    );
    for (const out of outs) expect(out.bytes).toBeGreaterThan(100);
    expect(perSocket.size).toBe(3);
  });

  it('reconnects, timed, when the server closed the kept connection between runs', async () => {
    const { port, perSocket } = await countingServer((_req, res) => res.end('ok'));
    const spec = specFor(httpCheck, port, { target: 'closed-idle', keepAlive: true });
    await runs(spec, 1);
    for (const socket of perSocket.keys()) socket.destroy();
    // The probe sees the FIN of the idle connection before the next run (or its request meets it).
    await new Promise((r) => setTimeout(r, 50));
    const [again] = await runs(spec, 1);
    expect(again?.phases.connect).toBeGreaterThan(0);
    expect(perSocket.size).toBe(2);
  });

  it('retries once on a new connection when the kept one is closed as the request goes out', async () => {
    const ok = scripted('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    let request = 0;
    // The second request (the first on the kept connection) is answered by a FIN and nothing else.
    const server = await scriptedServer(() => (++request === 2 ? scripted('', true) : ok));
    closers.push(server.close);
    const spec = specFor(httpCheck, server.port, { target: 'hung-up', keepAlive: true });
    const [first, second, third] = await runs(spec, 3);
    expect(first?.phases.connect).toBeGreaterThan(0);
    expect(second?.phases.connect).toBeGreaterThan(0);
    expect(third?.phases.connect).toBeUndefined();
    expect(server.connections).toBe(2);
    expect(server.requests).toBe(4);
  });
});
