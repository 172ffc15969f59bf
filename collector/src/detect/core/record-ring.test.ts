import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NUMBER, optional, present, type RecordLayout, RecordRing } from './record-ring.ts';
import { Symbols } from './symbols.ts';
import { Ring } from './window.ts';

interface Item {
  id: number;
  at: number;
  name: string | undefined;
  value: number | undefined;
}

function itemLayout(symbols: Symbols): RecordLayout<Item> {
  return {
    width: 4,
    write: (to, at, v) => {
      to[at] = v.id;
      to[at + 1] = v.at;
      to[at + 2] = symbols.id(v.name);
      to[at + 3] = optional(v.value);
    },
    read: (from, at) => ({
      id: from[at] as number,
      at: from[at + 1] as number,
      name: symbols.name(from[at + 2]),
      value: present(from[at + 3]),
    }),
  };
}

const item = fc.record({
  id: fc.integer({ min: 0, max: 2 ** 52 }),
  at: fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }),
  name: fc.option(fc.constantFrom('iad', 'fra', 'timeout', 'reset', ''), { nil: undefined }),
  value: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: undefined }),
});

describe('RecordRing', () => {
  it('holds what a Ring of the same records holds, push by push (seeded random streams)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(item, { maxLength: 60 }), (capacity, items) => {
        const ring = new Ring<Item>(capacity);
        const compact = new RecordRing(capacity, itemLayout(new Symbols()));
        for (const it of items) {
          const evicted = compact.evictedByPush();
          expect(evicted).toEqual(ring.push(it));
          compact.push(it);
          expect(compact.size).toBe(ring.size);
          expect(compact.last()).toEqual(ring.last());
          expect(compact.toArray()).toEqual(ring.toArray());
          // Read in place, oldest first: the same fields, and Ring.at the same items.
          const items = ring.toArray();
          for (let i = 0; i < compact.size; i++) {
            expect(compact.field(i, 0)).toBe(items[i]?.id);
            expect(compact.field(i, 1)).toBe(items[i]?.at);
            expect(ring.at(i)).toBe(items[i]);
          }
        }
      }),
      { seed: 17, numRuns: 300 },
    );
  });

  it('views a number ring in place: the same values as oldest-first, in storage order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.double({ noNaN: true }), { maxLength: 100 }),
        (capacity, values) => {
          const ring = new RecordRing(capacity, NUMBER);
          for (const v of values) ring.push(v);
          const expected = values.slice(-capacity);
          expect(ring.toArray()).toEqual(expected);
          expect([...ring.unordered()].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
        },
      ),
      { seed: 23, numRuns: 300 },
    );
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new RecordRing(0, NUMBER)).toThrow('ring capacity must be a positive integer');
    expect(() => new RecordRing(1.5, NUMBER)).toThrow('ring capacity must be a positive integer');
  });
});
