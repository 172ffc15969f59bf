import { z } from 'zod';
import { REGION_CODE_PATTERN } from '../regions.ts';

/** Bumped when a wire shape changes incompatibly; the collector refuses versions it does not speak. */
export const SCHEMA_VERSION = 1 as const;

/** Longest free-text field (error messages, details) accepted on the wire. */
export const MAX_TEXT = 512;
/** Largest batch of results one ingest request may carry. */
export const MAX_BATCH_RESULTS = 5000;

export const regionCode = z
  .string()
  .regex(REGION_CODE_PATTERN, { message: 'must be a three-letter lowercase region code' });

export const identifier = z
  .string()
  .min(1, { message: 'must not be empty' })
  .max(64, { message: 'must be at most 64 characters' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, { message: 'must be letters, digits, "_", ".", ":" or "-"' });

export const text = z.string().max(MAX_TEXT, { message: `must be at most ${MAX_TEXT} characters` });

/** A duration in milliseconds: finite and not negative. */
export const durationMs = z
  .number({ message: 'must be a number' })
  .finite({ message: 'must be a finite number' })
  .nonnegative({ message: 'must not be negative' });

/** Wall-clock time as Unix epoch milliseconds (2020-01-01 or later). */
export const epochMs = z
  .number({ message: 'must be a number' })
  .finite({ message: 'must be a finite number' })
  .min(1_577_836_800_000, { message: 'must be Unix epoch milliseconds after 2020-01-01' });

export const count = z
  .number()
  .int({ message: 'must be an integer' })
  .nonnegative({ message: 'must not be negative' });

export const PATHS = ['anycast', 'pinned', 'private', 'mesh'] as const;
export const PROTOCOLS = ['http', 'tcp', 'grpc'] as const;
export const networkPath = z.enum(PATHS);
export const protocol = z.enum(PROTOCOLS);
export type NetworkPath = z.infer<typeof networkPath>;
export type Protocol = z.infer<typeof protocol>;
