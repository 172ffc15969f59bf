import { createServer as createHttp1Server } from 'node:http';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoApp, type RunningEcho } from '../../echo/index.ts';
import { startLoopbackEcho } from '../../echo/testing/loopback-echo.ts';
import { selfSignedCert } from '../testing/cert.ts';
import { httpCheck } from './run.ts';
import type { HttpSpec } from './spec.ts';

/* HTTP/1.1 and h2c against the standalone echo server; TLS with ALPN h2 / http/1.1 against a self-signed echo. */
const identity = { region: 'yyz', machineId: 'm-versions', startedAt: Date.now() - 1000 };
let echo: RunningEcho;
let tlsServer: Http2SecureServer;
let tlsPort: number;

beforeAll(async () => {
  echo = await startLoopbackEcho(identity);
  tlsServer = createSecureServer(
    { ...selfSignedCert(), allowHTTP1: true },
    getRequestListener(echoApp(identity).fetch),
  );
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
  tlsPort = (tlsServer.address() as AddressInfo).port;
});

afterAll(async () => {
  await echo.close();
  await new Promise((r) => tlsServer.close(r));
});

const base = (port: number, extra: Partial<HttpSpec>): HttpSpec => ({
  protocol: 'http',
  target: 'versions',
  path: 'anycast',
  host: '127.0.0.1',
  port,
  httpPath: '/echo',
  timeoutMs: 10_000,
  ...extra,
});

describe('http versions', () => {
  it.each([
    ['HTTP/1.1', false, '1.1'],
    ['h2c prior knowledge', true, '2'],
  ])('cleartext %s on the echo port', async (_name, http2, version) => {
    const out = await httpCheck.run(base(echo.httpPort, { http2 }));
    expect(out.outcome, out.errorMessage).toBe('ok');
    expect(out.httpVersion).toBe(version);
    expect(out.servedRegion).toBe('yyz');
    expect(out.phases.tls).toBeUndefined();
  });

  it.each([
    ['http/1.1 by ALPN', false, '1.1'],
    ['h2 by ALPN', true, '2'],
  ])('TLS %s, with a timed tls phase', async (_name, http2, version) => {
    const out = await httpCheck.run(base(tlsPort, { tls: true, tlsInsecure: true, http2 }));
    expect(out.outcome, out.errorMessage).toBe('ok');
    expect(out.httpVersion).toBe(version);
    expect(out.servedMachine).toBe('m-versions');
    expect(out.phases.connect).toBeGreaterThan(0);
    expect(out.phases.tls).toBeGreaterThan(0);
  });

  it('h2c prior knowledge against an HTTP/1.1-only server is a protocol failure, not a hang', async () => {
    const h1 = createHttp1Server((_req, res) => res.end('ok'));
    await new Promise<void>((r) => h1.listen(0, '127.0.0.1', r));
    try {
      const out = await httpCheck.run(base((h1.address() as AddressInfo).port, { http2: true }));
      expect(out.outcome, out.errorMessage).toBe('protocol');
      expect(out.errorMessage).toMatch(/^HTTP\/2: /);
      expect(out.failedPhase).toBe('ttfb');
    } finally {
      h1.closeAllConnections();
      await new Promise((r) => h1.close(r));
    }
  });

  it('refuses an untrusted certificate as a tls failure', async () => {
    const out = await httpCheck.run(base(tlsPort, { tls: true }));
    expect(out.outcome).toBe('tls');
    expect(out.failedPhase).toBe('tls');
    expect(out.phases.connect).toBeGreaterThan(0);
    expect(out.phases.tls).toBeUndefined();
  });
});
