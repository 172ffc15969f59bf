import { z } from 'zod';
import { isMachineRegion, REGION_CODE_PATTERN } from '../regions.ts';

/** Bumped when a wire shape changes incompatibly; the collector refuses versions it does not speak. */
export const SCHEMA_VERSION = 1 as const;

/** Longest free-text field (error messages, details) accepted on the wire. */
export const MAX_TEXT = 512;
/** Largest batch of results one ingest request may carry. */
export const MAX_BATCH_RESULTS = 5000;

/** Upper bounds of every number on the wire (docs/API.md lists them): sums and means stay finite. */
export const MAX_DURATION_MS = 86_400_000;
/** 2100-01-01: later timestamps are clock bugs or forgeries (the collector also refuses > 5 min ahead). */
export const MAX_EPOCH_MS = 4_102_444_800_000;
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;
/** Ten years of uptime in seconds. */
export const MAX_UPTIME_S = 315_360_000;

/**
 * C0 controls, DEL and C1 controls (ESC, CSI, BEL, CR, LF, ...): never valid in a stored text field, so no
 * stored value can rewrite an operator's terminal. Kept linear (one character class).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
const NO_CONTROL_CHARACTERS = new RegExp(`^[^${CONTROL_CHARACTER.source.slice(1, -1)}]*$`);
export const CONTROL_CHARACTER_MESSAGE = 'must not contain control characters (C0, DEL, C1, ESC)';

/** Replaces control characters with a space: for text a probe builds from error messages it did not write. */
export function withoutControlCharacters(text: string): string {
  return text.replace(new RegExp(CONTROL_CHARACTER.source, 'g'), ' ');
}

/** A well-formed region code, any catalog status or none: what the `Fly-Region` header may carry (edges). */
export const regionCode = z
  .string()
  .regex(REGION_CODE_PATTERN, { message: 'must be a three-letter lowercase region code', abort: true });

/** A region where Machines run (current or deprecated catalog code): probe regions, served and forced regions. */
export const machineRegion = regionCode.refine(isMachineRegion, {
  message: 'must be a Fly region where Machines run (see GET /v1/regions)',
});

export const identifier = z
  .string()
  .min(1, { message: 'must not be empty' })
  .max(64, { message: 'must be at most 64 characters' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, { message: 'must be letters, digits, "_", ".", ":" or "-"' });

/** Free text of at most `max` characters without control characters. */
export function plainText(max: number) {
  return z
    .string()
    .max(max, { message: `must be at most ${max} characters` })
    .regex(NO_CONTROL_CHARACTERS, { message: CONTROL_CHARACTER_MESSAGE });
}

export const text = plainText(MAX_TEXT);

/**
 * The type-level error of a wire number: zod 4 refuses NaN and Infinity at the type check, so they get their own
 * words. Returning nothing for every other issue keeps it from standing for the checks chained after it.
 */
export const numberTypeError = (issue: { code: string; input?: unknown }) =>
  issue.code !== 'invalid_type'
    ? undefined
    : typeof issue.input === 'number'
      ? 'must be a finite number'
      : 'must be a number';

/** A duration in milliseconds: finite and not negative. */
export const durationMs = z
  .number({ error: numberTypeError })
  .nonnegative({ message: 'must not be negative' })
  .max(MAX_DURATION_MS, { message: `must be at most ${MAX_DURATION_MS} (one day)` });

/** A duration of at least `min` ms, worded in ms. */
export function durationAtLeast(min: number) {
  return durationMs.min(min, { message: `must be at least ${min} ms` });
}

/** Wall-clock time as Unix epoch milliseconds (2020-01-01 or later). */
export const epochMs = z
  .number({ error: numberTypeError })
  .min(1_577_836_800_000, { message: 'must be Unix epoch milliseconds after 2020-01-01' })
  .max(MAX_EPOCH_MS, { message: 'must be Unix epoch milliseconds before 2100-01-01' });

export const count = z
  .number()
  .int({ message: 'must be an integer' })
  .nonnegative({ message: 'must not be negative' })
  .max(MAX_COUNT, { message: `must be at most ${MAX_COUNT}` });

export const PATHS = ['anycast', 'pinned', 'private', 'flycast', 'mesh'] as const;
export const networkPath = z.enum(PATHS);
export type NetworkPath = z.infer<typeof networkPath>;
