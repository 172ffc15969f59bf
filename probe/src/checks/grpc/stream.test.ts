import { constants } from 'node:http2';
import { Server as GrpcServer, type Metadata, ServerCredentials, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoServiceDefinition, type RunningEcho } from '../../echo/index.ts';
import { startLoopbackEcho } from '../../echo/testing/loopback-echo.ts';
import type { CheckOutput } from '../core/check.ts';
import { type HostileServer, rawGrpcServer, tickFrame } from '../testing/hostile-servers.ts';
import { specFor } from '../testing/spec.ts';
import { expectValidOnWire } from '../testing/wire.ts';
import type { GrpcSpec } from './spec.ts';
import { grpcStreamCheck } from './stream.ts';

const identity = { region: 'sin', machineId: 'm-stream', startedAt: Date.now() - 1000 };
let echo: RunningEcho;

beforeAll(async () => {
  echo = await startLoopbackEcho(identity);
});
afterAll(async () => {
  await echo.close();
});

const spec = (port: number, extra: Partial<GrpcSpec> = {}) =>
  specFor(grpcStreamCheck, port, { target: 'streams', tickIntervalMs: 50, sampleIntervalMs: 100, ...extra });

/** Holds a stream until `until` says stop (or it ends by itself); returns everything emitted. */
async function hold(
  s: GrpcSpec,
  until: (outs: CheckOutput[]) => boolean = () => false,
): Promise<CheckOutput[]> {
  const outs: CheckOutput[] = [];
  const ac = new AbortController();
  await grpcStreamCheck.hold(
    s,
    (o) => {
      expectValidOnWire(o);
      outs.push(o);
      if (until(outs)) ac.abort();
    },
    ac.signal,
  );
  return outs;
}

async function grpcServerWith(
  ticks: (call: { write(v: unknown): void; end(): void; emit(...a: unknown[]): void }) => void,
) {
  const server = new GrpcServer();
  server.addService(echoServiceDefinition(), { Ping: () => {}, Ticks: ticks });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return { port, close: () => server.forceShutdown() };
}

describe('grpc tick streams', () => {
  it('emits samples while open and a cancelled end, with who served', async () => {
    const outs = await hold(
      spec(echo.grpcPort, { path: 'pinned', targetRegion: 'sin' }),
      (o) => o.length >= 3,
    );
    const samples = outs.filter((o) => o.stream?.event === 'sample');
    const end = outs.at(-1);
    expect(samples.length).toBeGreaterThanOrEqual(3);
    expect(end?.stream?.event).toBe('end');
    expect(end?.stream?.endReason).toBe('cancelled');
    expect(end?.outcome).toBe('ok');
    expect(end?.servedRegion).toBe('sin');
    expect(end?.targetRegion).toBe('sin');
    expect(end?.phases.connect).toBeGreaterThan(0);
    // One stream: the same id throughout, ticks never go backwards.
    expect(new Set(outs.map((o) => o.stream?.streamId)).size).toBe(1);
    const ticks = outs.map((o) => o.stream?.ticks ?? -1);
    expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
    expect(end?.stream?.ticks).toBeGreaterThan(0);
  });

  it('sends fly-force-region metadata on the pinned path', async () => {
    const seen: Metadata[] = [];
    const server = await grpcServerWith((call) => {
      seen.push((call as unknown as { metadata: Metadata }).metadata);
      call.end();
    });
    try {
      await hold(spec(server.port, { path: 'pinned', targetRegion: 'gru' }));
      expect(seen[0]?.get('fly-force-region')).toEqual(['gru']);
    } finally {
      server.close();
    }
  });

  it('a stream the server completes ends ok; a non-OK status ends as status', async () => {
    const ok = await grpcServerWith((call) => {
      call.write({ seq: 1, sentAt: Date.now() });
      call.end();
    });
    const failing = await grpcServerWith((call) => {
      call.emit('error', { code: status.RESOURCE_EXHAUSTED, details: 'too many streams' });
    });
    try {
      const okEnd = (await hold(spec(ok.port))).at(-1);
      expect(okEnd?.stream).toMatchObject({ event: 'end', endReason: 'ok', ticks: 1 });
      expect(okEnd?.grpcCode).toBe(0);
      const failEnd = (await hold(spec(failing.port))).at(-1);
      expect(failEnd?.stream?.endReason).toBe('status');
      expect(failEnd?.outcome).toBe('grpc_status');
      expect(failEnd?.grpcCode).toBe(status.RESOURCE_EXHAUSTED);
      expect(failEnd?.errorMessage).toContain('too many streams');
    } finally {
      ok.close();
      failing.close();
    }
  });

  it('a stream that stops ticking ends as stall, and samples show the growing gap first', async () => {
    const server = await grpcServerWith((call) => call.write({ seq: 1, sentAt: Date.now() }));
    try {
      const outs = await hold(spec(server.port, { stallAfterMs: 600, sampleIntervalMs: 150 }));
      const end = outs.at(-1);
      expect(end?.stream?.endReason).toBe('stall');
      expect(end?.outcome).toBe('timeout');
      expect(end?.failedPhase).toBe('stream');
      const gaps = outs.filter((o) => o.stream?.event === 'sample').map((o) => o.stream?.maxGapMs ?? 0);
      expect(gaps.length).toBeGreaterThanOrEqual(2);
      expect(gaps.at(-1)).toBeGreaterThan(gaps[0] ?? 0);
    } finally {
      server.close();
    }
  });

  it('recognises RST_STREAM and a transport reset', async () => {
    let rst: HostileServer | undefined;
    let reset: HostileServer | undefined;
    try {
      rst = await rawGrpcServer((stream) => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
        stream.write(tickFrame(1), () => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
      });
      reset = await rawGrpcServer((stream, session) => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
        stream.write(tickFrame(1), () =>
          (session.socket as unknown as import('node:net').Socket).resetAndDestroy(),
        );
      });
      const rstEnd = (await hold(spec(rst.port))).at(-1);
      expect(rstEnd?.stream?.endReason, rstEnd?.errorMessage).toBe('rst_stream');
      expect(rstEnd?.outcome).toBe('reset');
      const resetEnd = (await hold(spec(reset.port))).at(-1);
      expect(resetEnd?.stream?.endReason).toBe('reset');
      expect(resetEnd?.outcome).toBe('reset');
    } finally {
      await rst?.close();
      await reset?.close();
    }
  });

  it('a refused port ends at once with connect as the failed phase', async () => {
    const server = await grpcServerWith(() => {});
    server.close();
    const outs = await hold(spec(server.port));
    expect(outs).toHaveLength(1);
    expect(outs[0]?.outcome).toBe('refused');
    expect(outs[0]?.failedPhase).toBe('connect');
    expect(outs[0]?.stream?.event).toBe('end');
  });
});
