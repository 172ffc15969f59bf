import { describe, expect, it } from 'vitest';
import { meshPlacement, targetPlacement } from '../testing/placement.ts';
import { planGrpc, planGrpcMesh } from './plan.ts';

describe('grpc plan', () => {
  it('asks for the pinned region in metadata and holds grpc.streams streams at the target cadence', () => {
    const planned = planGrpc(
      targetPlacement(
        { intervalMs: 2_000, grpc: { tls: true, streams: 2, tickIntervalMs: 100 } },
        'pinned',
        'syd',
      ),
    );
    expect(planned.check).toMatchObject({
      protocol: 'grpc',
      tls: true,
      headers: { 'fly-force-region': 'syd' },
    });
    expect(planned.streams).toEqual({
      spec: { ...planned.check, tickIntervalMs: 100, sampleIntervalMs: 2_000 },
      count: 2,
      maxLifetimeMs: 600_000,
    });
  });

  it('speaks plaintext without routing metadata over 6PN, and holds no stream when streams is 0', () => {
    const planned = planGrpc(targetPlacement({ grpc: { tls: true, streams: 0 } }, 'flycast'));
    expect(planned.check.tls).toBe(false);
    expect(planned.check.headers).toBeUndefined();
    expect(planned.streams).toBeUndefined();
  });

  it("dials a mesh peer's host on the echo gRPC port", () => {
    expect(planGrpcMesh(meshPlacement())).toMatchObject({ protocol: 'grpc', host: 'fdaa::2', port: 50051 });
  });
});
