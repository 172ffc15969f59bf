import { z } from 'zod';
import { identifier, machineRegion, plainText, text } from './common.ts';

/** Who a probe is. Comes from the Fly environment (FLY_REGION, FLY_MACHINE_ID, ...) or FLYPROBE_* overrides. */
export const probeIdentity = z.strictObject({
  probeId: identifier,
  region: machineRegion,
  machineId: identifier,
  app: identifier.optional(),
  /** Random per process start; sequence numbers restart from 0 under a new boot id. */
  bootId: identifier,
  version: plainText(64).min(1, { message: 'must not be empty' }),
  imageRef: text.optional(),
  /** Address where this probe's echo server is reachable by other probes (mesh), e.g. `[fdaa::3]:8080`. */
  echoAddress: plainText(256).optional(),
});
export type ProbeIdentity = z.infer<typeof probeIdentity>;
