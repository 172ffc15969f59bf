import { Server as GrpcServer, ServerCredentials, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { echoServiceDefinition } from '../../echo/index.ts';
import { specFor } from '../testing/spec.ts';
import { grpcUnaryCheck } from './unary.ts';

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
      const out = await grpcUnaryCheck.run(specFor(grpcUnaryCheck, port, { target: 'broken' }));
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
