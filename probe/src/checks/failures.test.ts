import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { Server as GrpcServer, ServerCredentials, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoServiceDefinition } from '../echo/index.ts';
import type { Check, CheckSpec } from './core/check.ts';
import { classifyError } from './core/failure.ts';
import { grpcOutcome } from './grpc/status.ts';
import { grpcUnaryCheck } from './grpc/unary.ts';
import { httpCheck } from './http/run.ts';
import { tcpCheck } from './tcp/run.ts';
import { startTestDnsServer, type TestDnsServer } from './testing/dns-server.ts';

const servers: Server[] = [];
let dns: TestDnsServer;

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function tcpServer(onSocket: (s: Socket) => void): Promise<number> {
  const s = createServer(onSocket);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

const spec = (port: number, extra: Partial<CheckSpec> = {}): CheckSpec => ({
  target: 'broken',
  path: 'anycast',
  host: '127.0.0.1',
  port,
  timeoutMs: 5000,
  ...extra,
});

beforeAll(async () => {
  dns = await startTestDnsServer({ 'ams.target.internal': { AAAA: ['::1'] } });
});
afterAll(async () => {
  for (const s of servers) s.close();
  await dns.close();
});

const checks: Check[] = [httpCheck, tcpCheck, grpcUnaryCheck];

describe.each(checks)('$protocol check failures', (check) => {
  it('classifies a refused port, with no connect phase', async () => {
    const out = await check.run(spec(await closedPort()));
    expect(out.outcome).toBe('refused');
    expect(out.failedPhase).toBe('connect');
    expect(out.phases.connect).toBeUndefined();
    expect(out.phases.dns).toBeUndefined();
    expect(out.phases.total).toBeGreaterThan(0);
    expect(out.latencyMs).toBeUndefined();
    expect(out.errorMessage).toMatch(/ECONNREFUSED/);
  });

  it('writes an IPv6 peer bracketed in the error text', async () => {
    const port = await closedPort();
    const out = await check.run(spec(port, { host: '::1' }));
    expect(out.outcome).toBe('refused');
    expect(out.errorMessage).toContain(`[::1]:${port}`);
    expect(out.errorMessage).not.toMatch(new RegExp(`(^|\\s)::1:${port}`));
  });

  it('classifies a name that does not resolve as dns, with no dns phase', async () => {
    const out = await check.run(
      spec(1, { host: 'gone.target.internal', path: 'private', resolver: dns.address }),
    );
    expect(out.outcome).toBe('dns');
    expect(out.failedPhase).toBe('dns');
    expect(out.phases.dns).toBeUndefined();
    expect(out.phases.connect).toBeUndefined();
    expect(dns.queries).toContain('gone.target.internal/28');
  });

  it('reports an outside cancellation as an error, not a network outcome', async () => {
    const port = await tcpServer(() => {});
    const ac = new AbortController();
    const pending = check.run(spec(port), ac.signal);
    setTimeout(() => ac.abort(), 50);
    const out = await pending;
    expect(out.outcome).toBe('error');
    expect(out.errorMessage).toBe('cancelled');
  });
});

describe('tcp check failures', () => {
  it('eof: the peer closes cleanly before the echo', async () => {
    const port = await tcpServer((s) => s.end());
    const out = await tcpCheck.run(spec(port));
    expect(out.outcome).toBe('eof');
    expect(out.failedPhase).toBe('echo');
    expect(out.phases.connect).toBeGreaterThan(0);
    expect(out.phases.echo).toBeUndefined();
  });

  it('reset: the peer sends RST after connect', async () => {
    const port = await tcpServer((s) => s.once('data', () => s.resetAndDestroy()));
    const out = await tcpCheck.run(spec(port));
    expect(out.outcome).toBe('reset');
    expect(out.failedPhase).toBe('echo');
  });

  it('timeout: the echo never comes back within the echo limit', async () => {
    const port = await tcpServer(() => {});
    const out = await tcpCheck.run(spec(port, { phaseTimeoutMs: { echo: 150 } }));
    expect(out.outcome).toBe('timeout');
    expect(out.failedPhase).toBe('echo');
    expect(out.phases.connect).toBeGreaterThan(0);
  });

  it('protocol: the answer does not carry the nonce', async () => {
    const port = await tcpServer((s) => s.once('data', () => s.write('somebody-else\n')));
    const out = await tcpCheck.run(spec(port));
    expect(out.outcome).toBe('protocol');
  });

  it('accepts a plain echo server without echo info', async () => {
    const port = await tcpServer((s) => s.on('data', (d) => s.write(d)));
    const out = await tcpCheck.run(spec(port));
    expect(out.outcome).toBe('ok');
    expect(out.echo).toBeUndefined();
    expect(out.latencyMs).toBe(out.phases.echo);
  });
});

describe('grpc check failures', () => {
  it('grpc_status: a non-OK status keeps its code', async () => {
    const server = new GrpcServer();
    server.addService(echoServiceDefinition(), {
      Ping: (_call: unknown, cb: (err: { code: number; details: string }) => void) =>
        cb({ code: status.PERMISSION_DENIED, details: 'no probes here' }),
      Ticks: () => {},
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    try {
      const out = await grpcUnaryCheck.run(spec(port));
      expect(out.outcome).toBe('grpc_status');
      expect(out.grpcCode).toBe(status.PERMISSION_DENIED);
      expect(out.failedPhase).toBe('echo');
      expect(out.phases.connect).toBeGreaterThan(0);
      expect(out.errorMessage).toContain('no probes here');
    } finally {
      server.forceShutdown();
    }
  });
});

describe('classifyError', () => {
  it.each([
    ['ECONNRESET', 'reset'],
    ['EPIPE', 'reset'],
    ['ECONNREFUSED', 'refused'],
    ['EHOSTUNREACH', 'unreachable'],
    ['ENETUNREACH', 'unreachable'],
    ['EADDRNOTAVAIL', 'unreachable'],
    ['ETIMEDOUT', 'timeout'],
    ['ENOTFOUND', 'dns'],
    ['HPE_INVALID_CONSTANT', 'protocol'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
  ])('%s -> %s', (code, outcome) => {
    expect(classifyError(Object.assign(new Error('x'), { code }))).toBe(outcome);
  });

  it('looks through undici wrappers to the socket error', () => {
    const err = Object.assign(new Error('other side closed'), {
      code: 'UND_ERR_SOCKET',
      cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    });
    expect(classifyError(err)).toBe('reset');
    expect(classifyError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }))).toBe(
      'eof',
    );
  });
});

describe('grpcOutcome', () => {
  it.each([
    [
      status.UNAVAILABLE,
      'No connection established. Last error: Error: connect ECONNREFUSED 10.0.0.1:50051',
      'refused',
    ],
    [status.UNAVAILABLE, 'read ECONNRESET', 'reset'],
    [status.UNAVAILABLE, 'Connection dropped', 'reset'],
    [status.INTERNAL, 'Received RST_STREAM with code 2 (Internal server error)', 'reset'],
    [status.UNAVAILABLE, 'connect EHOSTUNREACH fdaa::3:50051', 'unreachable'],
    [status.UNAVAILABLE, 'Last error: Error: self-signed certificate', 'tls'],
    [status.DEADLINE_EXCEEDED, 'Deadline exceeded', 'timeout'],
    [status.UNIMPLEMENTED, 'unknown service', 'grpc_status'],
    [status.UNAVAILABLE, 'server is draining', 'grpc_status'],
  ])('code %i "%s" -> %s', (code, details, outcome) => {
    expect(grpcOutcome({ code, details })).toBe(outcome);
  });
});
