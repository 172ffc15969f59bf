/**
 * Parsers for EnvVar.parse (exported as `envParse` from @flyprobe/shared). Each keeps the wording its
 * process has always used, since operators and tests match on it.
 */

/** Any non-empty string. */
export const text = (raw: string): string => raw;

/** A number read by `read`, accepted when `valid` and within [min, max]; else `reason(raw)`. */
function ranged(
  min: number,
  max: number,
  valid: (n: number) => boolean,
  reason: (raw: string) => string,
  read: (raw: string) => number = Number,
): (raw: string) => number {
  return (raw) => {
    const n = read(raw);
    if (!valid(n) || n < min || n > max) throw new Error(reason(raw));
    return n;
  };
}

/** An integer in [min, max] worded `must be an integer from 0 to 65535, got "x"` (the collector). */
export const intFromTo = (min: number, max: number) =>
  ranged(min, max, Number.isInteger, (raw) => `must be an integer from ${min} to ${max}, got "${raw}"`);

/** A finite number in [min, max] worded `must be a number from 0.01 to 100, got "x"` (the collector). */
export const numberFromTo = (min: number, max: number) =>
  ranged(min, max, Number.isFinite, (raw) => `must be a number from ${min} to ${max}, got "${raw}"`);

/** Digits only, in [min, max], worded `must be an integer 1-65535` (the probe). */
export const intRange = (min: number, max: number) =>
  ranged(
    min,
    max,
    Number.isSafeInteger,
    () => `must be an integer ${min}-${max}`,
    (raw) => (/^-?\d+$/.test(raw) ? Number(raw) : Number.NaN),
  );

/** A finite number in [min, max] worded `must be a number 1-60000` (the probe). */
export const numberRange = (min: number, max: number) =>
  ranged(min, max, Number.isFinite, () => `must be a number ${min}-${max}`);

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

/** 1/true/yes/on or 0/false/no/off, any case. */
export function boolean(raw: string): boolean {
  const v = raw.toLowerCase();
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  throw new Error('must be true or false');
}

/** As `boolean`, with the value quoted in the reason (the collector's wording). */
export function booleanQuoted(raw: string): boolean {
  try {
    return boolean(raw);
  } catch {
    throw new Error(`must be true or false, got "${raw.toLowerCase()}"`);
  }
}

/** Comma-separated, trimmed items (blank items kept, so a validator can refuse them). */
export function commaList(raw: string): string[] {
  return raw.split(',').map((x) => x.trim());
}
