import { z } from 'zod';

/** A TCP port a target listens on. */
export const port = z.number().int().min(1).max(65535);
