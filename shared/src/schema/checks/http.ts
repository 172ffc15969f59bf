import { z } from 'zod';
import { port } from './port.ts';

/** `targets[].http`: the HTTP check's options (probe/src/checks/http). */
export const httpTargetOptions = z
  .strictObject({
    port: port.default(80),
    path: z.string().startsWith('/').max(1024).default('/echo'),
    tls: z.boolean().default(false),
    expectStatus: z.array(z.number().int().min(100).max(599)).default([200]),
    keepAlive: z.boolean().default(false),
  })
  .prefault({});
