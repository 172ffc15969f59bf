import { isDeepStrictEqual } from 'node:util';
import { PER_MACHINE_ENV } from '../fly/probe-machine-config.ts';
import type { MachineConfig } from '../fly/types.ts';

/** The config sections flyprobe owns on its Machines; anything else the API returns is left as it is. */
const MANAGED_SECTIONS = [
  'image',
  'guest',
  'services',
  'checks',
  'metrics',
  'restart',
  'stop_config',
] as const satisfies readonly (keyof MachineConfig)[];

const empty = (v: unknown): boolean =>
  v === undefined ||
  v === null ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);

const sameValue = (a: unknown, b: unknown): boolean => (empty(a) && empty(b)) || isDeepStrictEqual(a, b);

/**
 * What differs between the config flyprobe wants and the one a Machine runs, as field names
 * (`image`, `env.FLYPROBE_CONFIG`, `services`, `metadata.flyprobe_role`); empty when converged. Env that
 * is per Machine (probe id, token) is not compared.
 */
export function configDrift(wanted: MachineConfig, actual: MachineConfig): string[] {
  const drift: string[] = MANAGED_SECTIONS.filter((k) => !sameValue(wanted[k], actual[k]));
  const skip = new Set<string>(PER_MACHINE_ENV);
  const wantedEnv = wanted.env ?? {};
  const actualEnv = actual.env ?? {};
  const envKeys = [...new Set([...Object.keys(wantedEnv), ...Object.keys(actualEnv)])].filter(
    (k) => !skip.has(k),
  );
  for (const k of envKeys.sort()) if (wantedEnv[k] !== actualEnv[k]) drift.push(`env.${k}`);
  for (const [k, v] of Object.entries(wanted.metadata ?? {})) {
    if (actual.metadata?.[k] !== v) drift.push(`metadata.${k}`);
  }
  return drift;
}

/**
 * The full config an in-place update sends (the API replaces the whole config): the Machine's own config
 * with flyprobe's sections set as wanted, its per-Machine env and other metadata kept.
 */
export function updatedConfig(wanted: MachineConfig, actual: MachineConfig): MachineConfig {
  const next: MachineConfig = { ...actual };
  for (const k of MANAGED_SECTIONS) {
    if (wanted[k] === undefined) delete next[k];
    else Object.assign(next, { [k]: wanted[k] });
  }
  const kept: Record<string, string> = {};
  for (const k of PER_MACHINE_ENV) {
    const v = actual.env?.[k];
    if (v !== undefined) kept[k] = v;
  }
  next.env = { ...wanted.env, ...kept };
  next.metadata = { ...actual.metadata, ...wanted.metadata };
  return next;
}
