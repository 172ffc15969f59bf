import { z } from 'zod';
import { isRoutedPath, ROUTED_PATHS } from '../paths.ts';
import { PROTOCOLS } from '../schema/checks/index.ts';
import { identifier, PATHS, regionCode } from '../schema/common.ts';
import { parseTimestamp } from './timestamp.ts';

/** Query parameter types of the contract, with the messages the collector answers in a 400. */

export const MINUTE_MS = 60_000;
/** Longest window any read accepts. */
export const MAX_WINDOW_MS = 90 * 24 * 60 * MINUTE_MS;

const DURATION_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `90s`, `15m`, `1h`, `7d`; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,7})(s|m|h|d)$/.exec(text.trim());
  if (!m?.[1] || !m[2]) return undefined;
  const unit = DURATION_UNITS[m[2]];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${Math.round(ms / 1000)}s`;
}

const oneOf = (values: readonly string[]) => ({ message: `must be one of ${values.join(', ')}` });

export const identifierParam = identifier;
export const regionParam = regionCode;
export const pathParam = z.enum(PATHS, oneOf(PATHS));
export const protocolParam = z.enum(PROTOCOLS, oneOf(PROTOCOLS));
/** A path on which fly-proxy picks the region (routes exist only there); other paths are named as wrong. */
export const routedPathParam = z.enum(ROUTED_PATHS, {
  error: (issue) =>
    (PATHS as readonly unknown[]).includes(issue.input) && !isRoutedPath(issue.input as never)
      ? oneOf(ROUTED_PATHS).message
      : oneOf(PATHS).message,
});
export const enumParam = <const T extends readonly string[]>(values: T) => z.enum(values, oneOf(values));

/** A duration like `15m` in ms, between `minMs` and `maxMs` (unchecked when both are absent). */
export function durationParam(minMs?: number, maxMs?: number) {
  return z
    .string()
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: 'must be a duration like 90s, 15m, 1h or 7d' });
        return z.NEVER;
      }
      if (minMs !== undefined && maxMs !== undefined && (ms < minMs || ms > maxMs)) {
        ctx.addIssue({ code: 'custom', message: durationRangeMessage(minMs, maxMs) });
        return z.NEVER;
      }
      return ms;
    })
    .meta({ description: 'A duration: digits and a unit, s, m, h or d (90s, 15m, 1h, 7d).' });
}

export const durationRangeMessage = (minMs: number, maxMs: number) =>
  `must be between ${formatDuration(minMs)} and ${formatDuration(maxMs)}`;

/** Epoch ms or an RFC 3339 date-time with a zone, nothing else (see parseTimestamp). */
export const timeParam = z
  .string()
  .transform((text, ctx) => {
    const t = parseTimestamp(text);
    if (t === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be Unix epoch milliseconds or an RFC 3339 date-time like 2026-12-01T10:00:00Z',
      });
      return z.NEVER;
    }
    return t;
  })
  .meta({ description: 'Unix epoch milliseconds or an RFC 3339 date-time with a zone.' });

/** Digits only, from `min` to `max`. */
export function integerParam(min: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, { message: `must be an integer from ${min} to ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { message: `must be an integer from ${min} to ${max}` })
        .max(max, { message: `must be an integer from ${min} to ${max}` }),
    );
}
