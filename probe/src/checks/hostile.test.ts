import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { probeResult } from '@flyprobe/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckOutput, CheckSpec } from './core/check.ts';
import { grpcStreamCheck } from './grpc/stream.ts';
import { grpcUnaryCheck } from './grpc/unary.ts';
import { DEFAULT_MAX_BODY_BYTES, httpCheck } from './http/run.ts';
import { tcpCheck } from './tcp/run.ts';
import { type HostileServer, rawGrpcServer, rawServer, tickFrame } from './testing/hostile-servers.ts';

/*
 * Hostile and broken targets, each a real server on loopback: every one is classified with the right
 * outcome and failed phase, within short limits, without unbounded memory.
 */
const cleanups: (() => Promise<void> | void)[] = [];
/** Every classified failure must still be a valid wire result. */
function valid(out: CheckOutput | undefined): void {
  expect(probeResult.safeParse({ ...out, seq: 1 }).error).toBeUndefined();
}

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function track(server: HostileServer): Promise<number> {
  cleanups.push(server.close);
  return server.port;
}

const spec = (port: number, extra: Partial<CheckSpec> = {}): CheckSpec => ({
  target: 'hostile',
  path: 'anycast',
  host: '127.0.0.1',
  port,
  timeoutMs: 10_000,
  ...extra,
});

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
      valid(out);
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
    const port = await track(
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
    valid(out);
    expect(out.outcome).toBe('timeout');
    expect(out.failedPhase).toBe('ttfb');
    expect(out.phases.connect).toBeGreaterThan(0);
    expect(out.phases.transfer).toBeUndefined();
    expect(out.httpStatus).toBeUndefined();
  });

  it('a body that never ends: the transfer limit fires', async () => {
    const port = await track(
      await rawServer((socket, timers) => {
        socket.once('data', () => {
          socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n');
          timers(setInterval(() => socket.destroyed || socket.write('1\r\nx\r\n'), 50));
        });
      }),
    );
    const out = await httpCheck.run(spec(port, { phaseTimeoutMs: { transfer: 300 } }));
    valid(out);
    expect(out.outcome).toBe('timeout');
    expect(out.failedPhase).toBe('transfer');
    expect(out.phases.ttfb).toBeGreaterThan(0);
    expect(out.phases.transfer).toBeUndefined();
  });

  it('a TCP RST in the middle of a body is a reset in transfer', async () => {
    const port = await track(
      await rawServer((socket) => {
        socket.once('data', () => {
          socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n');
          // Reset a moment after the partial body: a RST racing its own data can surface as a plain EOF.
          socket.write(Buffer.alloc(1000, 0x62), () => setTimeout(() => socket.resetAndDestroy(), 100));
        });
      }),
    );
    const out = await httpCheck.run(spec(port));
    valid(out);
    expect(out.outcome, out.errorMessage).toBe('reset');
    expect(out.failedPhase).toBe('transfer');
    expect(out.phases.ttfb).toBeGreaterThan(0);
  });

  it('a peer that closes mid-body is eof in transfer', async () => {
    const port = await track(
      await rawServer((socket) => {
        socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\npartial'));
      }),
    );
    const out = await httpCheck.run(spec(port));
    valid(out);
    expect(out.outcome, out.errorMessage).toBe('eof');
    expect(out.failedPhase).toBe('transfer');
  });

  it('a TLS handshake that hangs: the tls limit fires after connect', async () => {
    const port = await track(await rawServer(() => {}));
    const out = await httpCheck.run(spec(port, { tls: true, phaseTimeoutMs: { tls: 300 } }));
    valid(out);
    expect(out.outcome).toBe('timeout');
    expect(out.failedPhase).toBe('tls');
    expect(out.phases.connect).toBeGreaterThan(0);
    expect(out.phases.tls).toBeUndefined();
  });

  it('a server that answers TLS with garbage is a tls failure', async () => {
    const port = await track(
      await rawServer((s) => s.once('data', () => s.write('HTTP/1.1 400 nope\r\n\r\n'))),
    );
    const out = await httpCheck.run(spec(port, { tls: true }));
    valid(out);
    expect(out.outcome, out.errorMessage).toBe('tls');
    expect(out.failedPhase).toBe('tls');
  });

  it('a gRPC server that sends GOAWAY mid-stream: recognised as goaway', async () => {
    const port = await track(
      await rawGrpcServer((stream, session) => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
        stream.write(tickFrame(1), () => {
          session.goaway(0, 0);
          setTimeout(() => session.destroy(), 20);
        });
      }),
    );
    const outs: CheckOutput[] = [];
    await grpcStreamCheck.hold(
      spec(port, { tickIntervalMs: 50 }),
      (o) => outs.push(o),
      new AbortController().signal,
    );
    const end = outs.at(-1);
    for (const o of outs) valid(o);
    expect(end?.stream?.endReason, end?.errorMessage).toBe('goaway');
    expect(end?.outcome).toBe('reset');
    expect(end?.failedPhase).toBe('stream');
    expect(end?.stream?.ticks).toBe(1);
  });

  it('a gRPC server that sends GOAWAY before answering a Ping: the unary check fails as reset', async () => {
    const port = await track(
      await rawGrpcServer((_stream, session) => {
        session.goaway(2, 0);
        session.destroy();
      }),
    );
    const out = await grpcUnaryCheck.run(spec(port));
    valid(out);
    expect(out.outcome, out.errorMessage).toBe('reset');
    expect(out.grpcCode).toBeGreaterThan(0);
  });

  it.each([
    ['http', httpCheck],
    ['tcp', tcpCheck],
    ['grpc', grpcUnaryCheck],
  ])('a port that refuses: %s is refused in connect', async (_name, check) => {
    const server = await rawServer(() => {});
    await server.close();
    const out = await check.run(spec(server.port));
    valid(out);
    expect(out.outcome).toBe('refused');
    expect(out.failedPhase).toBe('connect');
  });
});
