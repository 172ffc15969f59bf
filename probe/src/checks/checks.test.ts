import type { AddressInfo } from 'node:net';
import {
  Server as GrpcServer,
  type Metadata,
  ServerCredentials,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoApp, echoServiceDefinition, echoServiceImplementation } from '../echo/index.ts';
import { createTcpEchoServer } from '../echo/tcp-echo.ts';
import type { Check } from './core/check.ts';
import { grpcUnaryCheck } from './grpc/unary.ts';
import { httpCheck } from './http/run.ts';
import type { CheckSpec } from './index.ts';
import { tcpCheck } from './tcp/run.ts';
import { startTestDnsServer, type TestDnsServer } from './testing/dns-server.ts';
import { expectValidOnWire } from './testing/wire.ts';

/*
 * The three protocols over the four path kinds against echo pieces mounted the way a user would mount
 * them (Hono sub-app, grpc-js service, TCP echo), on ::1 so the private path can resolve AAAA to it.
 */
const identity = { region: 'ams', machineId: 'machine-1', app: 'target', startedAt: Date.now() - 1000 };
const seenHttpHeaders: Record<string, string | undefined>[] = [];
const seenGrpcMetadata: Metadata[] = [];
const closers: (() => Promise<void>)[] = [];
let ports: { http: number; tcp: number; grpc: number };
let dns: TestDnsServer;

beforeAll(async () => {
  const app = new Hono();
  app.use('*', async (c, next) => {
    seenHttpHeaders.push({
      force: c.req.header('fly-force-region'),
      traceparent: c.req.header('traceparent'),
    });
    await next();
  });
  app.route('/flyprobe', echoApp(identity));
  const httpServer = serve({ fetch: app.fetch, hostname: '::1', port: 0 });
  await new Promise((r) => httpServer.once('listening', r));
  closers.push(() => new Promise((r) => httpServer.close(() => r())));

  const tcp = createTcpEchoServer(identity);
  await new Promise<void>((r) => tcp.server.listen(0, '::1', r));
  closers.push(tcp.close);

  const echo = echoServiceImplementation(identity);
  const recording: UntypedServiceImplementation = {
    ...echo,
    Ping: (call: { metadata: Metadata }, cb: unknown) => {
      seenGrpcMetadata.push(call.metadata);
      (echo.Ping as (c: unknown, cb: unknown) => void)(call, cb);
    },
  };
  const grpc = new GrpcServer();
  grpc.addService(echoServiceDefinition(), recording);
  const grpcPort = await new Promise<number>((resolve, reject) =>
    grpc.bindAsync('[::1]:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  closers.push(() => new Promise((r) => grpc.tryShutdown(() => r())));

  ports = {
    http: (httpServer.address() as AddressInfo).port,
    tcp: (tcp.server.address() as AddressInfo).port,
    grpc: grpcPort,
  };
  dns = await startTestDnsServer({ 'ams.target.internal': { AAAA: ['::1'] } });
  closers.push(dns.close);
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

type PathCase = { name: CheckSpec['path']; spec: Partial<CheckSpec> };
const paths: PathCase[] = [
  { name: 'anycast', spec: { host: '::1' } },
  { name: 'pinned', spec: { host: '::1', targetRegion: 'fra' } },
  { name: 'private', spec: { host: 'ams.target.internal', targetRegion: 'ams' } },
  { name: 'mesh', spec: { host: '::1', targetRegion: 'ams', peer: 'ams-peer1' } },
];
const protocols: { name: string; check: Check; spec: () => Partial<CheckSpec> }[] = [
  { name: 'http/1.1', check: httpCheck, spec: () => ({ port: ports.http, httpPath: '/flyprobe/echo' }) },
  { name: 'tcp', check: tcpCheck, spec: () => ({ port: ports.tcp }) },
  { name: 'grpc', check: grpcUnaryCheck, spec: () => ({ port: ports.grpc }) },
];

describe.each(protocols)('$name check', ({ check, spec: protocolSpec }) => {
  it.each(paths)('works over the $name path', async ({ name, spec: pathSpec }) => {
    const spec = {
      protocol: check.protocol,
      target: 'target',
      path: name,
      port: 0,
      timeoutMs: 10_000,
      ...pathSpec,
      ...protocolSpec(),
      ...(name === 'private' ? { resolver: dns.address } : {}),
    } as CheckSpec;
    const queriesBefore = dns.queries.length;
    const out = await check.run(spec);
    expect(out.outcome, out.errorMessage).toBe('ok');
    // Every result is valid on the wire as the reporter will send it.
    expectValidOnWire(out);
    expect(out.protocol).toBe(check.protocol);
    expect(out.servedRegion).toBe('ams');
    expect(out.servedMachine).toBe('machine-1');
    expect(out.echo?.startedAt).toBe(identity.startedAt);
    expect(out.latencyMs).toBeGreaterThan(0);
    expect(out.phases.connect).toBeGreaterThan(0);
    expect(out.phases.tls).toBeUndefined();
    if (name === 'private') {
      // Resolved through the configured resolver, and the dns phase was timed.
      expect(dns.queries.length).toBeGreaterThan(queriesBefore);
      expect(dns.queries.at(-1)).toBe('ams.target.internal/28');
      expect(out.phases.dns).toBeGreaterThan(0);
    } else {
      expect(out.phases.dns).toBeUndefined();
    }
    expect(out.targetRegion).toBe(name === 'anycast' ? undefined : spec.targetRegion);
    expect(out.peer).toBe(name === 'mesh' ? 'ams-peer1' : undefined);
    if (check.protocol !== 'tcp') expect(out.traceId).toMatch(/^[0-9a-f]{32}$/);
    if (check.protocol === 'http') {
      const seen = seenHttpHeaders.at(-1);
      expect(seen?.force).toBe(name === 'pinned' ? 'fra' : undefined);
      expect(seen?.traceparent).toBe(`00-${out.traceId}-${seen?.traceparent?.slice(36, 52)}-01`);
      expect(out.latencyMs).toBe(out.phases.ttfb);
    }
    if (check.protocol === 'grpc') {
      const md = seenGrpcMetadata.at(-1);
      expect(md?.get('fly-force-region')).toEqual(name === 'pinned' ? ['fra'] : []);
      expect(String(md?.get('traceparent')[0])).toContain(out.traceId);
      expect(out.latencyMs).toBe(out.phases.echo);
      // The HTTP/2 PING on the measured connection is reported as a phase of its own.
      expect(out.phases.ping).toBeGreaterThan(0);
    }
    if (check.protocol === 'tcp') expect(out.latencyMs).toBe(out.phases.echo);
  });
});
