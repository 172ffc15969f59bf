import { randomUUID } from 'node:crypto';
import type { ProbeIdentity } from '@flyprobe/shared';
import type { ProbeIdentitySettings } from '../config/settings.ts';

/** Who this process reports as: the configured identity and a boot id drawn for this start. */
export function bootIdentity(settings: ProbeIdentitySettings): ProbeIdentity {
  return {
    probeId: settings.probeId,
    region: settings.region,
    machineId: settings.machineId,
    app: settings.app,
    bootId: randomUUID(),
    version: settings.version,
    imageRef: settings.imageRef,
    echoAddress: settings.echoAddress,
  };
}
