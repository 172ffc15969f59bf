import { z } from 'zod';
import { identifier, machineRegion, plainText } from '../schema/common.ts';
import { targetConfig } from '../schema/config.ts';
import { ROLES } from './route.ts';

/** Shapes of token and target administration. */

export const TOKEN_NAME_MAX = 64;
/** Longest token id a revocation names. */
export const TOKEN_ID_MAX = 128;
export const TIMESTAMP_MESSAGE = 'must be Unix epoch milliseconds or an RFC 3339 date-time';

export const tokenRequest = z.strictObject({
  role: z.enum(ROLES, { message: 'must be one of probe, read, admin' }),
  /** Probe tokens: the probe id, app and region it speaks for (all three, unless unbound tokens are allowed). */
  probeId: identifier.optional(),
  app: identifier.optional(),
  region: machineRegion.optional(),
  name: plainText(TOKEN_NAME_MAX).min(1, { message: 'must not be empty' }).optional(),
  /** Epoch ms or RFC 3339 date-time after which the token is refused. */
  expiresAt: z
    .union([z.number().int().nonnegative(), z.string().max(64)], { message: TIMESTAMP_MESSAGE })
    .optional(),
});
export type TokenRequest = z.infer<typeof tokenRequest>;

export const tokenRecord = z.strictObject({
  id: z.string(),
  role: z.enum(ROLES),
  /** For probe tokens: the identity it may ingest for; null for unbound tokens and other roles. */
  probeId: z.string().nullable(),
  app: z.string().nullable(),
  region: z.string().nullable(),
  name: z.string().nullable(),
  /** Epoch ms after which the token is refused (401); null: never expires. */
  expiresAt: z.number().int().nullable(),
  createdAt: z.number().int(),
});

/** The answer of `POST /v1/tokens`: the record and, this once, its secret. */
export const createdToken = tokenRecord.extend({ secret: z.string() });
export type CreatedToken = z.infer<typeof createdToken>;
export const tokenListResponse = z.strictObject({ tokens: z.array(tokenRecord) });

export const targetsResponse = z.strictObject({ revision: z.string(), targets: z.array(targetConfig) });
export type TargetsResponse = z.infer<typeof targetsResponse>;
/** `PUT /v1/targets` as documented; `parseTargets` also refuses duplicate names and more than MAX_TARGETS. */
export const targetsRequest = z.array(targetConfig);
