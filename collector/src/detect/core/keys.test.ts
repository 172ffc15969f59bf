import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinKey } from './keys.ts';
import { Symbols } from './symbols.ts';

const part = fc.constantFrom('iad', 'fra', 'web', 'anycast', 'tcp', '', 'a|b', 'mesh');

describe('joinKey', () => {
  it('is the parts joined with | (random tuples of 2 to 5 parts, repeated)', () => {
    fc.assert(
      fc.property(fc.array(part, { minLength: 2, maxLength: 5 }), (parts) => {
        const [a, b, c, d, e] = parts as [string, string, string?, string?, string?];
        expect(joinKey(a, b, c, d, e)).toBe(parts.join('|'));
        expect(joinKey(a, b, c, d, e)).toBe(parts.join('|'));
      }),
      { seed: 3, numRuns: 500 },
    );
  });
});

describe('Symbols', () => {
  it('gives each name one id and maps it back; undefined and null are NaN', () => {
    const s = new Symbols();
    const a = s.id('iad');
    expect(s.id('fra')).not.toBe(a);
    expect(s.id('iad')).toBe(a);
    expect(s.name(a)).toBe('iad');
    expect(s.id(undefined)).toBeNaN();
    expect(s.id(null)).toBeNaN();
    expect(s.name(Number.NaN)).toBeUndefined();
  });
});
