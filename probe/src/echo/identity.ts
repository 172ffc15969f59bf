import { hostname } from 'node:os';
import { type EchoPressure, REGION_CODE_PATTERN, type RegionCode } from '@flyprobe/shared';
import { cachedPressure } from './pressure.ts';

/** Who this echo server is; every answer carries it. */
export interface EchoIdentity {
  region: RegionCode;
  machineId: string;
  app?: string;
  /** Process start, Unix epoch ms. */
  startedAt: number;
  imageRef?: string;
  /** The serving cgroup's pressure counters, carried by every HTTP and TCP answer. */
  pressure?: () => EchoPressure | undefined;
}

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

function pick(env: NodeJS.ProcessEnv, ...names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/**
 * Identity from the Fly environment with FLYPROBE_* overrides for local runs:
 * region FLYPROBE_REGION | FLY_REGION (required), machine FLYPROBE_MACHINE_ID | FLY_MACHINE_ID | FLY_ALLOC_ID |
 * host name, app FLYPROBE_APP | FLY_APP_NAME, image FLYPROBE_IMAGE_REF | FLY_IMAGE_REF. Pressure counters come
 * from the cgroup v2 directory FLYPROBE_ECHO_CGROUP (on a Fly Machine: /sys/fs/cgroup unless set to `off`).
 * Throws an Error naming the variable when a value is missing or malformed.
 */
export function echoIdentityFromEnv(env: NodeJS.ProcessEnv = process.env): EchoIdentity {
  const region = pick(env, 'FLYPROBE_REGION', 'FLY_REGION');
  if (!region) throw new Error('FLY_REGION: not set (set FLYPROBE_REGION for local runs)');
  if (!REGION_CODE_PATTERN.test(region.value))
    throw new Error(`${region.name}: "${region.value}" must be a three-letter lowercase region code`);
  const machine = pick(env, 'FLYPROBE_MACHINE_ID', 'FLY_MACHINE_ID', 'FLY_ALLOC_ID') ?? {
    name: 'hostname',
    value: hostname()
      .replace(/[^A-Za-z0-9_.:-]/g, '-')
      .slice(0, 64),
  };
  if (!IDENTIFIER.test(machine.value))
    throw new Error(
      `${machine.name}: "${machine.value}" must be letters, digits, "_", ".", ":" or "-" (at most 64)`,
    );
  const app = pick(env, 'FLYPROBE_APP', 'FLY_APP_NAME');
  if (app && !IDENTIFIER.test(app.value))
    throw new Error(`${app.name}: "${app.value}" must be letters, digits, "_", ".", ":" or "-" (at most 64)`);
  const image = pick(env, 'FLYPROBE_IMAGE_REF', 'FLY_IMAGE_REF');
  const cgroup = env.FLYPROBE_ECHO_CGROUP?.trim() || (env.FLY_MACHINE_ID ? '/sys/fs/cgroup' : 'off');
  return {
    region: region.value,
    machineId: machine.value,
    ...(app ? { app: app.value } : {}),
    startedAt: Math.round(Date.now() - process.uptime() * 1000),
    ...(image ? { imageRef: image.value.slice(0, 512) } : {}),
    ...(cgroup !== 'off' ? { pressure: cachedPressure(cgroup) } : {}),
  };
}
