import { echoResponse } from '@flyprobe/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { echoFromJson } from './echo-info.ts';

const valid = {
  schemaVersion: 1,
  protocol: 'http',
  region: 'iad',
  machineId: 'm-1',
  app: 'my.app',
  startedAt: 1_700_000_000_000,
  imageRef: 'registry.fly.io/app:deploy-1',
  edgeRegion: 'ams',
  receivedAt: 1_700_000_000_123,
  requestId: 'req:42',
  pressure: { cpuNrThrottled: 3, cpuThrottledUsec: 1200, memoryOomKill: 1, memorySomeAvg10: 0.5 },
};

/** What the shared zod schema makes of the same body (the reference the hand-written check must match). */
function viaSchema(body: unknown): unknown {
  const r = echoResponse.safeParse(body);
  if (!r.success) return undefined;
  const { schemaVersion: _v, protocol: _p, ...info } = r.data;
  return info;
}

const oddValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(0, 1, 2, -1, 1_577_836_800_000, 1_577_836_799_999, 1e300, 1.5),
  fc.constantFrom('', 'iad', 'IAD', 'ia', 'iadx', 'a', '_x', 'x_y.z:1-2', 'x'.repeat(64), 'x'.repeat(65)),
  fc.constantFrom('y'.repeat(512), 'y'.repeat(513), 'http', 'tcp', 'grpc', 'udp'),
  fc.string({ maxLength: 8 }),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
  fc.constantFrom(
    {},
    { memoryOomKill: 2, memoryMaxBytes: 268_435_456 },
    { memoryOomKill: -1 },
    { memoryOom: 1.5 },
    { memorySomeAvg10: 100 },
    { memorySomeAvg10: 100.5 },
    { memorySomeAvg10: '1' },
    { cpuNrThrottled: 1, other: 1 },
  ),
);

describe('echoFromJson', () => {
  it('returns the echo info of a valid echo answer', () => {
    const { schemaVersion: _v, protocol: _p, ...info } = valid;
    expect(echoFromJson(JSON.stringify(valid))).toEqual(info);
    expect(echoFromJson('not json')).toBeUndefined();
    expect(echoFromJson('[1]')).toBeUndefined();
  });

  it('accepts and rejects exactly what the shared echoResponse schema does', () => {
    const keys = [...Object.keys(valid), 'extra'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...keys), oddValue), { maxLength: 3 }),
        fc.subarray(Object.keys(valid)),
        (changes, removed) => {
          const body: Record<string, unknown> = { ...valid };
          for (const k of removed) delete body[k];
          for (const [k, v] of changes) body[k] = v;
          const text = JSON.stringify(body);
          expect(echoFromJson(text)).toEqual(viaSchema(JSON.parse(text)));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
