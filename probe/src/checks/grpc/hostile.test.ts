import { describe, expect, it } from 'vitest';
import type { Check, CheckOutput, StreamCheck } from '../core/check.ts';
import { closedAfterEach, rawGrpcServer, tickFrame } from '../testing/hostile-servers.ts';
import { specFor } from '../testing/spec.ts';
import { expectValidOnWire } from '../testing/wire.ts';
import type { GrpcSpec } from './spec.ts';
import { grpcStreamCheck } from './stream.ts';
import { grpcUnaryCheck } from './unary.ts';

/*
 * Hostile and broken targets, each a real server on loopback: every one is classified with the right
 * outcome and failed phase, within short limits, without unbounded memory.
 */
const track = closedAfterEach();

const spec = (check: Check<GrpcSpec> | StreamCheck<GrpcSpec>, port: number, extra: Partial<GrpcSpec> = {}) =>
  specFor(check, port, { target: 'hostile', timeoutMs: 10_000, ...extra });

describe('hostile targets', () => {
  it('a gRPC server that sends GOAWAY mid-stream: recognised as goaway', async () => {
    const port = track(
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
      spec(grpcStreamCheck, port, { tickIntervalMs: 50 }),
      (o) => outs.push(o),
      new AbortController().signal,
    );
    const end = outs.at(-1);
    for (const o of outs) expectValidOnWire(o);
    expect(end?.stream?.endReason, end?.errorMessage).toBe('goaway');
    expect(end?.outcome).toBe('reset');
    expect(end?.failedPhase).toBe('stream');
    expect(end?.stream?.ticks).toBe(1);
  });

  it('a gRPC server that sends GOAWAY before answering a Ping: the unary check fails as reset', async () => {
    const port = track(
      await rawGrpcServer((_stream, session) => {
        session.goaway(2, 0);
        session.destroy();
      }),
    );
    const out = await grpcUnaryCheck.run(spec(grpcUnaryCheck, port));
    expectValidOnWire(out);
    expect(out.outcome, out.errorMessage).toBe('reset');
    expect(out.grpcCode).toBeGreaterThan(0);
  });
});
