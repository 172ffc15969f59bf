import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEcho } from '../../echo/index.ts';
import { startLoopbackEcho } from '../../echo/testing/loopback-echo.ts';
import { specFor } from '../testing/spec.ts';
import { httpCheck } from './run.ts';
import type { HttpSpec } from './spec.ts';

let echo: RunningEcho;
beforeAll(async () => {
  const identity = { region: 'ams', machineId: 'machine-1', startedAt: Date.now() - 1000 };
  echo = await startLoopbackEcho(identity);
});
afterAll(() => echo.close());

const spec = (port: number, extra: Partial<HttpSpec>) => specFor(httpCheck, port, extra);

describe('http check details', () => {
  it('takes the edge region from Fly-Request-Id and reports bytes and status', async () => {
    const server = createHttpServer((_req, res) => {
      res.setHeader('fly-request-id', '01HZY3Z1Q2W3E4R5T6Y7V8X9QP-syd');
      res.end('hello, not an echo');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const out = await httpCheck.run(spec(port, { target: 't' }));
      expect(out.outcome).toBe('ok');
      expect(out.edgeRegion).toBe('syd');
      expect(out.httpStatus).toBe(200);
      expect(out.httpVersion).toBe('1.1');
      expect(out.bytes).toBe('hello, not an echo'.length);
      expect(out.echo).toBeUndefined();
      expect(out.servedRegion).toBeUndefined();
    } finally {
      server.close();
    }
  });

  it('classifies an unexpected status and still reports the phases', async () => {
    const missing = spec(echo.httpPort, { target: 't', httpPath: '/missing' });
    const out = await httpCheck.run(missing);
    expect(out.outcome).toBe('http_status');
    expect(out.httpStatus).toBe(404);
    expect(out.latencyMs).toBeUndefined();
    expect(out.phases.ttfb).toBeGreaterThan(0);
    const accepted = await httpCheck.run({ ...missing, expectStatus: [404] });
    expect(accepted.outcome).toBe('ok');
  });

  it('reuses the connection with keepAlive: no connect phase on the second run', async () => {
    const keep = spec(echo.httpPort, { target: 'keep', httpPath: '/echo', keepAlive: true });
    const first = await httpCheck.run(keep);
    const second = await httpCheck.run(keep);
    expect(first.phases.connect).toBeGreaterThan(0);
    expect(second.outcome).toBe('ok');
    expect(second.phases.connect).toBeUndefined();
    const fresh = await httpCheck.run({ ...keep, keepAlive: false });
    expect(fresh.phases.connect).toBeGreaterThan(0);
  });

  it('opens and closes a fresh connection on every run of the same check without keepAlive', async () => {
    const server = createHttpServer((_req, res) => res.end('ok'));
    const open = new Set<unknown>();
    let connections = 0;
    server.on('connection', (socket) => {
      connections++;
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const fresh = spec((server.address() as AddressInfo).port, { target: 'fresh' });
      for (let i = 1; i <= 3; i++) {
        const out = await httpCheck.run(fresh);
        expect(out.outcome).toBe('ok');
        expect(out.phases.connect).toBeGreaterThan(0);
        expect(connections).toBe(i);
      }
      // Every measurement's connection is closed by the probe (the server sees the close soon after).
      for (let i = 0; i < 100 && open.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(open.size).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
