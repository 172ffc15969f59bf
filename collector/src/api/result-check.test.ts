import { OUTCOMES, PATHS, PROTOCOLS, probeResult, STREAM_END_REASONS } from '@flyprobe/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { result } from '../testing/fixtures.ts';
import { isValidResult } from './result-check.ts';

/**
 * The fast check must agree with the shared zod schema: never accept what zod refuses (its value is then
 * stored as is, so zod's output must equal it), and accept what zod accepts for anything JSON.parse can
 * produce, so the fast path is the one actually taken.
 */

const MIN_EPOCH = 1_577_836_800_000;

/** Mostly valid values with the schema's boundaries on both sides mixed in. */
const edgy = <T>(valid: fc.Arbitrary<T>, ...edges: unknown[]) =>
  fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: fc.constantFrom(...edges) });
const region = edgy(fc.stringMatching(/^[a-z]{3}$/), 'FRA', 'fr', 'fraa', 'fr1', 'frä');
const identifier = edgy(
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,20}$/),
  'a'.repeat(64),
  'a'.repeat(65),
  '',
  '-a',
  '_a',
  'a b',
  'a/b',
  'é',
  'a:b.c-d_e',
);
const text = edgy(fc.string({ maxLength: 20 }), 'x'.repeat(512), 'x'.repeat(513), 'é'.repeat(512));
const duration = edgy(fc.oneof(fc.double({ min: 0, max: 1e7, noNaN: true }), fc.nat()), -0, -1e-9, -1);
const count = edgy(fc.nat(), 0.5, -1, -0, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e21);
const epoch = edgy(
  fc.oneof(
    fc.integer({ min: MIN_EPOCH, max: 4_000_000_000_000 }),
    fc.double({ min: MIN_EPOCH, max: 4e12, noNaN: true }),
  ),
  MIN_EPOCH - 1,
  MIN_EPOCH - 0.5,
  MIN_EPOCH,
  Number.POSITIVE_INFINITY,
);
const phases = fc.record(
  {
    dns: duration,
    connect: duration,
    tls: duration,
    ttfb: duration,
    transfer: duration,
    echo: duration,
    total: duration,
  },
  { requiredKeys: [], noNullPrototype: true },
);
const pressure = fc.record(
  {
    cpuNrThrottled: count,
    cpuThrottledUsec: count,
    memoryHigh: count,
    memoryOom: count,
    memoryOomKill: count,
    memorySomeAvg10: edgy(fc.double({ min: 0, max: 100, noNaN: true }), -0, -0.01, 100.01, '1'),
    memoryMaxBytes: count,
  },
  { requiredKeys: [], noNullPrototype: true },
);
const echo = fc.record(
  {
    region,
    machineId: identifier,
    app: identifier,
    startedAt: epoch,
    imageRef: text,
    edgeRegion: region,
    receivedAt: epoch,
    requestId: identifier,
    pressure,
  },
  { requiredKeys: ['region', 'machineId', 'startedAt', 'receivedAt', 'requestId'], noNullPrototype: true },
);
const stream = fc.record(
  {
    streamId: identifier,
    event: fc.constantFrom('sample', 'end'),
    openedAt: epoch,
    lifetimeMs: duration,
    ticks: count,
    maxGapMs: duration,
    endReason: fc.constantFrom(...STREAM_END_REASONS),
  },
  {
    requiredKeys: ['streamId', 'event', 'openedAt', 'lifetimeMs', 'ticks', 'maxGapMs'],
    noNullPrototype: true,
  },
);

/** Results shaped like the schema's, each field valid most of the time. */
const wellFormed = fc.record(
  {
    seq: edgy(fc.oneof(fc.nat(), fc.maxSafeNat()), 0.5, -1, 2 ** 53),
    target: identifier,
    path: fc.constantFrom(...PATHS),
    protocol: fc.constantFrom(...PROTOCOLS),
    targetRegion: region,
    peer: identifier,
    startedAt: epoch,
    latencyMs: duration,
    phases,
    outcome: fc.constantFrom(...OUTCOMES),
    errorMessage: text,
    failedPhase: fc.constantFrom('dns', 'connect', 'tls', 'request', 'ttfb', 'transfer', 'echo', 'stream'),
    httpStatus: edgy(fc.integer({ min: 100, max: 599 }), 99, 600, 200.5),
    httpVersion: fc.constantFrom('1.1', '2'),
    bytes: count,
    grpcCode: edgy(fc.integer({ min: 0, max: 16 }), -1, 17, 1.5),
    edgeRegion: region,
    servedRegion: region,
    servedMachine: identifier,
    echo,
    stream,
    degraded: fc.boolean(),
    traceId: edgy(fc.stringMatching(/^[0-9a-f]{32}$/), 'A'.repeat(32), '0'.repeat(31), '0'.repeat(33)),
  },
  {
    requiredKeys: ['seq', 'target', 'path', 'protocol', 'startedAt', 'phases', 'outcome'],
    noNullPrototype: true,
  },
);

/** Values JSON.parse can produce, biased to the edges the schema cares about. */
const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    -1,
    -0,
    0,
    0.5,
    1.5,
    99,
    100,
    599,
    600,
    17,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    2 ** 53,
    MIN_EPOCH - 1,
    MIN_EPOCH,
    '',
    'FRA',
    'fr',
    'fraa',
    'fra',
    '-x',
    'a'.repeat(64),
    'a'.repeat(65),
    'x'.repeat(513),
    'ok',
    'mesh',
    '__proto__',
    null,
    true,
    [],
    {},
  ),
  fc.jsonValue({ maxDepth: 2 }),
);

type Mutable = Record<string, unknown>;

/** A well-formed result with one field (maybe nested, maybe new) replaced, added or removed. */
const mutated = fc
  .tuple(
    wellFormed,
    fc.constantFrom('', 'phases', 'echo', 'stream'),
    fc.oneof(fc.constantFrom(...Object.keys(probeResult.shape)), fc.string({ maxLength: 8 })),
    jsonish,
    fc.boolean(),
  )
  .map(([base, where, key, value, remove]) => {
    const copy = structuredClone(base) as Mutable;
    const target = (where === '' ? copy : copy[where]) as Mutable | undefined;
    if (target === undefined) return copy;
    if (remove) delete target[key];
    else target[key] = value;
    return copy;
  });

function zodVerdict(value: unknown): { ok: boolean; data: unknown } {
  const r = probeResult.safeParse(value);
  return { ok: r.success, data: r.data };
}

describe('isValidResult', () => {
  it('accepts the test helper result and the shapes probes send', () => {
    const full = result(1, {
      targetRegion: 'fra',
      peer: 'p-1',
      errorMessage: 'x',
      failedPhase: 'ttfb',
      httpVersion: '2',
      bytes: 10,
      grpcCode: 0,
      servedMachine: 'm1',
      echo: {
        region: 'fra',
        machineId: 'm1',
        startedAt: MIN_EPOCH,
        receivedAt: MIN_EPOCH + 1,
        requestId: 'r1',
      },
      stream: {
        streamId: 's1',
        event: 'end',
        openedAt: MIN_EPOCH,
        lifetimeMs: 5,
        ticks: 3,
        maxGapMs: 1,
        endReason: 'goaway',
      },
      degraded: true,
      traceId: '0'.repeat(32),
    });
    expect(isValidResult(JSON.parse(JSON.stringify(result(0))))).toBe(true);
    expect(isValidResult(JSON.parse(JSON.stringify(full)))).toBe(true);
  });

  it('refuses what is not a plain object, leaving the reason to zod', () => {
    for (const v of [null, undefined, 1, 'x', [], Object.create(null), new Date()]) {
      expect(isValidResult(v)).toBe(false);
      expect(probeResult.safeParse(v).success).toBe(false);
    }
  });

  it('agrees with zod on anything JSON can carry', () => {
    fc.assert(
      fc.property(fc.oneof(wellFormed, mutated, mutated), (value) => {
        const zod = zodVerdict(value);
        expect(isValidResult(value)).toBe(zod.ok);
        if (zod.ok) expect(zod.data).toEqual(value);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with zod after a JSON round trip (keys like __proto__ become own properties)', () => {
    fc.assert(
      fc.property(fc.oneof(wellFormed, mutated), (value) => {
        const text = JSON.stringify(value).replace('"seq":', '"__proto__":1,"seq":');
        for (const parsed of [JSON.parse(JSON.stringify(value)), JSON.parse(text)]) {
          const zod = zodVerdict(parsed);
          expect(isValidResult(parsed)).toBe(zod.ok);
          if (zod.ok) expect(zod.data).toEqual(parsed);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never accepts what zod refuses, whatever the value', () => {
    const anyValue = fc.anything({ withNullPrototype: true, withObjectString: true, withBigInt: true });
    fc.assert(
      fc.property(
        wellFormed,
        fc.constantFrom(...Object.keys(probeResult.shape)),
        anyValue,
        (base, key, value) => {
          const input: Mutable = { ...base, [key]: value };
          if (isValidResult(input)) {
            const zod = zodVerdict(input);
            expect(zod.ok).toBe(true);
            expect(zod.data).toEqual(input);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
