import { z } from 'zod';
import { port } from './port.ts';

/** `targets[].tcp`: the TCP echo check's options (probe/src/checks/tcp). */
export const tcpTargetOptions = z.strictObject({ port: port.default(7070) }).prefault({});
