import { describe, expect, it } from 'vitest';
import { TupleMap } from './tuple-map.ts';

describe('TupleMap', () => {
  it('keeps one entry per four parts, as a Map of the joined key would, on seeded random operations', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    // Parts that would collide if joined carelessly ('a'+'bc' and 'ab'+'c').
    const parts = ['a', 'ab', 'bc', 'c', ''];
    const pick = () => parts[Math.floor(next() * parts.length)] as string;
    const map = new TupleMap<number>();
    const reference = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const k = [pick(), pick(), pick(), pick()] as const;
      const key = JSON.stringify(k);
      if (next() < 0.3) expect(map.delete(...k)).toBe(reference.delete(key));
      else {
        map.set(...k, i);
        reference.set(key, i);
      }
      expect(map.get(...k)).toBe(reference.get(key));
      expect(map.size).toBe(reference.size);
    }
    for (const [key, value] of reference) {
      const [a, b, c, d] = JSON.parse(key) as [string, string, string, string];
      expect(map.get(a, b, c, d)).toBe(value);
    }
  });
});
