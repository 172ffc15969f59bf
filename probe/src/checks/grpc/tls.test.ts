import { Server as GrpcServer, ServerCredentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addEchoService } from '../../echo/index.ts';
import type { CheckOutput } from '../core/check.ts';
import { selfSignedCert } from '../testing/cert.ts';
import type { GrpcSpec } from './spec.ts';
import { grpcStreamCheck } from './stream.ts';
import { grpcUnaryCheck } from './unary.ts';

/* gRPC over TLS (as through fly-proxy on 443) against the echo service mounted in a grpc-js TLS server. */
const identity = { region: 'jnb', machineId: 'm-tls', startedAt: Date.now() - 1000 };
let server: GrpcServer;
let port: number;

beforeAll(async () => {
  const { key, cert } = selfSignedCert();
  server = new GrpcServer();
  addEchoService(server, identity);
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      '127.0.0.1:0',
      ServerCredentials.createSsl(null, [{ private_key: key, cert_chain: cert }]),
      (e, p) => (e ? reject(e) : resolve(p)),
    ),
  );
});
afterAll(() => {
  server.forceShutdown();
});

const spec = (extra: Partial<GrpcSpec>): GrpcSpec => ({
  protocol: 'grpc',
  target: 'tls',
  path: 'anycast',
  host: '127.0.0.1',
  port,
  tls: true,
  timeoutMs: 10_000,
  ...extra,
});

describe('gRPC over TLS', () => {
  it('unary Ping with an accepted self-signed certificate', async () => {
    const out = await grpcUnaryCheck.run(spec({ tlsInsecure: true }));
    expect(out.outcome, out.errorMessage).toBe('ok');
    expect(out.servedMachine).toBe('m-tls');
  });

  it('unary Ping refuses an untrusted certificate', async () => {
    const out = await grpcUnaryCheck.run(spec({}));
    expect(out.outcome, out.errorMessage).toBe('tls');
    // Its own connection: the handshake is timed and failed in the tls phase, as for the stream check.
    expect(out.failedPhase).toBe('tls');
  });

  it('tick stream with ALPN h2 and a timed tls phase', async () => {
    const outs: CheckOutput[] = [];
    const ac = new AbortController();
    await grpcStreamCheck.hold(
      spec({ tlsInsecure: true, tickIntervalMs: 50, sampleIntervalMs: 100 }),
      (o) => {
        outs.push(o);
        if (outs.length >= 2) ac.abort();
      },
      ac.signal,
    );
    const end = outs.at(-1);
    expect(end?.stream?.endReason).toBe('cancelled');
    expect(end?.servedRegion).toBe('jnb');
    expect(end?.phases.tls).toBeGreaterThan(0);
  });
});
