import { z } from 'zod';
import type { ReceiverConfig } from './provider.ts';

/** Why a single receiver URL is unusable, or null. */
export function urlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `"${url}" is not an absolute URL`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http or https URL';
  return null;
}

/** A receiver config schema whose URL passes `problem` (the message names what is wrong with it). */
export function receiverConfigSchema(problem: (url: string) => string | null): z.ZodType<ReceiverConfig> {
  return z.object({
    url: z.string().superRefine((url, ctx) => {
      const message = problem(url);
      if (message) ctx.addIssue({ code: 'custom', message });
    }),
    secret: z.string().nullable(),
  });
}
