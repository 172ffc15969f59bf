import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileAcceptor } from './acceptor.ts';
import { ingestEnvelope } from './batch.ts';
import { echoInfo } from './echo.ts';
import { heartbeat } from './heartbeat.ts';
import { probeIdentity } from './identity.ts';
import { probeResult } from './result.ts';

/** zod's verdict, and whether its output equals the input (what `true` from an acceptor promises). */
function zodAccepts(schema: z.ZodType, value: unknown): boolean {
  const r = schema.safeParse(value);
  if (r.success) expect(r.data).toEqual(value);
  return r.success;
}

describe('compileAcceptor', () => {
  it('follows each supported check of the schema it was compiled from', () => {
    const schema = z.strictObject({
      id: z
        .string()
        .min(2)
        .max(4)
        .regex(/^[a-z]+$/),
      n: z.number().int().gt(0).lte(10),
      i: z.int().optional(),
      f: z.number().gte(-1).lt(1).optional(),
      kind: z.enum(['a', 'b']),
      v: z.literal(1),
      on: z.boolean().nullable(),
      tags: z.array(z.string().length(2)).max(2),
      even: z
        .number()
        .refine((x) => x % 2 === 0)
        .optional(),
      counts: z.partialRecord(z.enum(['x', 'y']), z.int().min(0)).optional(),
      either: z.union([z.string().max(1), z.number()]).optional(),
    });
    const accept = compileAcceptor(schema);
    const ok = { id: 'ab', n: 10, kind: 'a', v: 1, on: null, tags: ['xy'] };
    expect(accept(ok)).toBe(true);
    const bad: Record<string, unknown>[] = [
      { id: 'a' },
      { id: 'abcde' },
      { id: 'AB' },
      { n: 0 },
      { n: 11 },
      { n: 1.5 },
      { n: Number.NaN },
      { i: 0.5 },
      { f: 1 },
      { f: -1.5 },
      { kind: 'c' },
      { v: 2 },
      { on: 'yes' },
      { tags: ['x'] },
      { tags: ['xy', 'xy', 'xy'] },
      { even: 3 },
      { extra: 1 },
      { counts: { z: 1 } },
      { counts: { x: -1 } },
      { either: 'ab' },
      { either: true },
    ];
    for (const change of bad) {
      const value = { ...ok, ...change };
      expect(accept(value), JSON.stringify(change)).toBe(false);
      expect(schema.safeParse(value).success, JSON.stringify(change)).toBe(false);
    }
    const { id: _, ...missing } = ok;
    expect(accept(missing)).toBe(false);
    expect(accept({ ...ok, f: -1, even: 4, counts: { y: 2 }, either: 3 })).toBe(true);
  });

  it('leaves values that are not plain JSON to zod', () => {
    const accept = compileAcceptor(z.strictObject({ a: z.array(z.number()).optional() }));
    expect(accept({})).toBe(true);
    expect(accept(Object.create(null))).toBe(false);
    expect(accept(new (class {})())).toBe(false);
    expect(accept({ a: Object.setPrototypeOf([1], null) })).toBe(false);
  });

  it('refuses at compile time what would make zod return something else than its input', () => {
    const cases: [z.ZodType, RegExp][] = [
      [z.strictObject({ at: z.string().transform(Number) }), /at: type "pipe"/],
      [z.strictObject({ n: z.number().default(1) }), /n: type "default"/],
      [z.strictObject({ r: z.record(z.enum(['a', 'b']), z.number()) }), /r: an exhaustive record/],
      [z.strictObject({ mail: z.email() }), /mail: string format "email"/],
      [z.number().multipleOf(2), /check "multiple_of"/],
    ];
    for (const [schema, message] of cases) expect(() => compileAcceptor(schema)).toThrow(message);
  });

  it('agrees with zod on the wire schemas for valid and mutated documents', () => {
    const json = fc.jsonValue({ maxDepth: 2 });
    const schemas = { probeResult, probeIdentity, echoInfo, heartbeat, ingestEnvelope } as const;
    const accepts = Object.fromEntries(
      Object.entries(schemas).map(([name, schema]) => [name, compileAcceptor(schema)]),
    );
    const samples: Record<keyof typeof schemas, Record<string, unknown>> = {
      probeResult: {
        seq: 1,
        target: 'web',
        path: 'pinned',
        protocol: 'http',
        targetRegion: 'fra',
        startedAt: 1_700_000_000_000,
        latencyMs: 20,
        phases: { connect: 5, ttfb: 20 },
        outcome: 'ok',
        servedRegion: 'fra',
        echo: {
          region: 'fra',
          machineId: 'm1',
          startedAt: 1_700_000_000_000,
          receivedAt: 1_700_000_000_001,
          requestId: 'r1',
        },
      },
      probeIdentity: { probeId: 'p-1', region: 'iad', machineId: 'm1', bootId: 'b1', version: '0.1.0' },
      echoInfo: {
        region: 'fra',
        machineId: 'm1',
        startedAt: 1_700_000_000_000,
        receivedAt: 1_700_000_000_001,
        requestId: 'r1',
      },
      heartbeat: {
        at: 1_700_000_000_000,
        uptimeS: 10,
        rssBytes: 1,
        heapUsedBytes: 1,
        eventLoopDelayMs: { p50: 1, p99: 2, max: 3 },
        bufferDepth: 0,
        bufferBytes: 0,
        dropped: { buffer_full: 2 },
        missedRuns: 0,
        degraded: false,
      },
      ingestEnvelope: {
        schemaVersion: 1,
        probe: { probeId: 'p-1', region: 'iad', machineId: 'm1', bootId: 'b1', version: '0.1.0' },
        results: [{}, 'anything'],
      },
    };
    for (const name of Object.keys(schemas) as (keyof typeof schemas)[])
      expect(accepts[name]?.(samples[name]), name).toBe(true);
    // A wire `__proto__` key (JSON.parse makes it an own property) is never accepted on the fast path.
    const withProto = JSON.parse(`{"__proto__": null, ${JSON.stringify(samples.probeResult).slice(1)}`);
    expect(Object.keys(withProto)).toContain('__proto__');
    expect(accepts.probeResult?.(withProto)).toBe(false);
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(schemas) as (keyof typeof schemas)[])),
        fc.string({ maxLength: 12 }),
        json,
        fc.boolean(),
        (name, key, value, remove) => {
          const doc = structuredClone(samples[name]);
          const known = Object.keys(doc);
          const field =
            known.length > 0 && key.length % 2 === 0 ? (known[key.length % known.length] as string) : key;
          // An own property, as JSON.parse makes it: assigning `__proto__` would set the prototype instead.
          if (remove) delete doc[field];
          else
            Object.defineProperty(doc, field, {
              value,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          const verdict = accepts[name]?.(doc);
          // The acceptor refuses an own `__proto__` key and leaves the verdict to zod; it never accepts what zod refuses.
          if (field === '__proto__') expect(!verdict || zodAccepts(schemas[name], doc)).toBe(true);
          else expect(verdict).toBe(zodAccepts(schemas[name], doc));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
