import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinearRegex, PatternError } from './linear-regex.ts';

/** Patterns inside the supported subset, on which JavaScript's RegExp is the reference. */
const PATTERNS = [
  'abc',
  'a|b|',
  '(a+)+',
  '(a|aa)*b',
  '(?:ab)*c?',
  '[a-c]+x?',
  '[^ab]*',
  'a{2}',
  'a{1,3}b{2,}',
  '.*-b.*',
  '\\d+\\.\\w*',
  '^(iad|fra)$',
  '(a*)*',
  'x[-a]y',
];

describe('LinearRegex', () => {
  it('decides full matches exactly as RegExp does on the supported subset', () => {
    for (const pattern of PATTERNS) {
      const linear = new LinearRegex(pattern);
      const reference = new RegExp(`^(?:${pattern})$`);
      fc.assert(
        fc.property(
          fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x', 'y', '-', '.', '1', ']'), maxLength: 12 }),
          (s) => {
            expect(linear.test(s), `${pattern} on "${s}"`).toBe(reference.test(s));
          },
        ),
        { numRuns: 300 },
      );
    }
  });

  it('reads "]" first in a class as a literal, as RE2 does', () => {
    expect(new LinearRegex('[]a]+').test(']a]')).toBe(true);
    expect(new LinearRegex('[^]]').test(']')).toBe(false);
  });

  it('refuses what cannot run in linear time or is malformed, saying why', () => {
    const cases: [string, RegExp][] = [
      ['(a)\\1', /not supported/],
      ['(?=a)a', /lookaround/],
      ['(?i)a', /lookaround and inline flags/],
      ['a**', /repetition of a repetition/],
      ['(a', /missing "\)"/],
      ['[a', /missing "\]"/],
      ['*a', /nothing to repeat/],
      ['a{1000}', /counts above 100/],
      ['(a{100}){100}', /more than 2000 states/],
      ['a^b', /only allowed at the start or end/],
    ];
    for (const [pattern, why] of cases) {
      expect(() => new LinearRegex(pattern), pattern).toThrow(PatternError);
      expect(() => new LinearRegex(pattern), pattern).toThrow(why);
    }
  });
});
