import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckOutput } from '../core/check.ts';
import { closedAfterEach, rawServer } from '../testing/hostile-servers.ts';
import { specFor } from '../testing/spec.ts';
import { expectValidOnWire } from '../testing/wire.ts';
import { DEFAULT_MAX_BODY_BYTES, httpCheck } from './run.ts';
import type { HttpSpec } from './spec.ts';

/*
 * Hostile and broken targets, each a real server on loopback: every one is classified with the right
 * outcome and failed phase, within short limits, without unbounded memory.
 */
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
const track = closedAfterEach();

const spec = (port: number, extra: Partial<HttpSpec> = {}) =>
  specFor(httpCheck, port, { target: 'hostile', timeoutMs: 10_000, ...extra });

describe('hostile targets', () => {
  it('a 1 GB body is capped: read stops at the cap, the rest is never sent, memory stays bounded', async () => {
    const GB = 1024 ** 3;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const server: Server = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(GB) });
      const pump = (): void => {
        while (sent < GB && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      res.on('error', () => {});
      pump();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => {
      server.closeAllConnections();
      server.close();
    });
    const port = (server.address() as AddressInfo).port;
    const rssBefore = process.memoryUsage().rss;
    const outs: CheckOutput[] = [];
    for (let i = 0; i < 5; i++) outs.push(await httpCheck.run(spec(port)));
    const growthMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    for (const out of outs) {
      expectValidOnWire(out);
      expect(out.outcome).toBe('ok');
      expect(out.bytes).toBeGreaterThan(DEFAULT_MAX_BODY_BYTES);
      // At most a few socket reads beyond the cap.
      expect(out.bytes).toBeLessThan(DEFAULT_MAX_BODY_BYTES + 4 * 1024 * 1024);
      expect(out.phases.transfer).toBeGreaterThan(0);
    }
    // Five requests for 1 GB each: the server could only push what socket buffers hold.
    expect(sent).toBeLessThan(5 * 64 * 1024 * 1024);
    expect(growthMb).toBeLessThan(64);
  });

  it('headers trickled one byte a second: the ttfb limit fires', async () => {
    const port = track(
      await rawServer((socket, timers) => {
        socket.once('data', () => {
          const head = 'HTTP/1.1 200 OK\r\nx-slow: aaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n';
          let i = 0;
          timers(
            setInterval(() => {
              if (i < head.length && !socket.destroyed) socket.write(head[i++] ?? '');
            }, 1000),
          );
          socket.write(head[i++] ?? '');
        });
      }),
    );
    const out = await httpCheck.run(spec(port, { phaseTimeoutMs: { ttfb: 300 } }));
    expectValidOnWire(out);
    expect(out.outcome).toBe('timeout');
    expect(out.failedPhase).toBe('ttfb');
    expect(out.phases.connect).toBeGreaterThan(0);
    expect(out.phases.transfer).toBeUndefined();
    expect(out.httpStatus).toBeUndefined();
  });

  it('a body that never ends: the transfer limit fires', async () => {
    const port = track(
      await rawServer((socket, timers) => {
        socket.once('data', () => {
          socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n');
          timers(setInterval(() => socket.destroyed || socket.write('1\r\nx\r\n'), 50));
        });
      }),
    );
    const out = await httpCheck.run(spec(port, { phaseTimeoutMs: { transfer: 300 } }));
    expectValidOnWire(out);
    expect(out.outcome).toBe('timeout');
    expect(out.failedPhase).toBe('transfer');
    expect(out.phases.ttfb).toBeGreaterThan(0);
    expect(out.phases.transfer).toBeUndefined();
  });

  it('a TCP RST in the middle of a body is a reset in transfer', async () => {
    const port = track(
      await rawServer((socket) => {
        socket.once('data', () => {
          socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n');
          // Reset a moment after the partial body: a RST racing its own data can surface as a plain EOF.
          socket.write(Buffer.alloc(1000, 0x62), () => setTimeout(() => socket.resetAndDestroy(), 100));
        });
      }),
    );
    const out = await httpCheck.run(spec(port));
    expectValidOnWire(out);
    expect(out.outcome, out.errorMessage).toBe('reset');
    expect(out.failedPhase).toBe('transfer');
    expect(out.phases.ttfb).toBeGreaterThan(0);
  });

  it('a peer that closes mid-body is eof in transfer', async () => {
    const port = track(
      await rawServer((socket) => {
        socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\npartial'));
      }),
    );
    const out = await httpCheck.run(spec(port));
    expectValidOnWire(out);
    expect(out.outcome, out.errorMessage).toBe('eof');
    expect(out.failedPhase).toBe('transfer');
  });

  it('a TLS handshake that hangs: the tls limit fires after connect', async () => {
    const port = track(await rawServer(() => {}));
    const out = await httpCheck.run(spec(port, { tls: true, phaseTimeoutMs: { tls: 300 } }));
    expectValidOnWire(out);
    expect(out.outcome).toBe('timeout');
    expect(out.failedPhase).toBe('tls');
    expect(out.phases.connect).toBeGreaterThan(0);
    expect(out.phases.tls).toBeUndefined();
  });

  it('a server that answers TLS with garbage is a tls failure', async () => {
    const port = track(await rawServer((s) => s.once('data', () => s.write('HTTP/1.1 400 nope\r\n\r\n'))));
    const out = await httpCheck.run(spec(port, { tls: true }));
    expectValidOnWire(out);
    expect(out.outcome, out.errorMessage).toBe('tls');
    expect(out.failedPhase).toBe('tls');
  });
});
