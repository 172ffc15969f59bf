import { currentRegions } from '@flyprobe/shared';

/** CreateMachineRequest fields (Machines OpenAPI document; fly-go LaunchMachineInput, incl. `lsvd`). */
const CREATE_KEYS = new Set([
  'name',
  'region',
  'config',
  'skip_launch',
  'skip_service_registration',
  'skip_secrets',
  'min_secrets_version',
  'lease_ttl',
  'lsvd',
]);
/** UpdateMachineRequest adds `current_version`. */
const UPDATE_KEYS = new Set([...CREATE_KEYS, 'current_version']);
/** fly-go MachineMount. */
const MOUNT_KEYS = new Set([
  'encrypted',
  'path',
  'size_gb',
  'volume',
  'name',
  'extend_threshold_percent',
  'add_size_gb',
  'size_gb_limit',
]);
const CURRENT = new Set(currentRegions().map((r) => r.code));

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isPort = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65_535;
const isBool = (v: unknown): boolean => v === undefined || typeof v === 'boolean';

/**
 * Checks a POST /v1/apps/{app}/machines body against the documented request shape; returns the first
 * problem as the API would word it, or undefined. Strict on purpose: a client sending a wrong shape
 * must fail here the way it would fail against Fly.
 */
export function createBodyProblem(body: unknown): string | undefined {
  return bodyProblem(body, CREATE_KEYS);
}

/** POST /v1/apps/{app}/machines/{id}: the same shape plus `current_version`; the config is required whole. */
export function updateBodyProblem(body: unknown): string | undefined {
  return bodyProblem(body, UPDATE_KEYS);
}

function bodyProblem(body: unknown, keys: Set<string>): string | undefined {
  if (!isObject(body)) return 'request body must be a JSON object';
  for (const key of Object.keys(body)) if (!keys.has(key)) return `unknown field "${key}"`;
  if (body.name !== undefined && typeof body.name !== 'string') return 'name must be a string';
  if (body.region !== undefined) {
    if (typeof body.region !== 'string') return 'region must be a string';
    if (!CURRENT.has(body.region)) return `invalid region "${body.region}"`;
  }
  for (const flag of ['skip_launch', 'skip_service_registration', 'skip_secrets', 'lsvd'])
    if (!isBool(body[flag])) return `${flag} must be a boolean`;
  if (body.lease_ttl !== undefined && (!Number.isInteger(body.lease_ttl) || (body.lease_ttl as number) < 0))
    return 'lease_ttl must be a non-negative integer';
  return configProblem(body.config);
}

function configProblem(config: unknown): string | undefined {
  if (!isObject(config)) return 'config is required';
  if (typeof config.image !== 'string' || config.image === '') return 'config.image is required';
  for (const field of ['env', 'metadata'] as const) {
    const map = config[field];
    if (map === undefined) continue;
    if (!isObject(map)) return `config.${field} must be an object`;
    for (const [k, v] of Object.entries(map))
      if (typeof v !== 'string') return `config.${field}.${k} must be a string`;
  }
  if (config.guest !== undefined) {
    const g = config.guest;
    if (!isObject(g)) return 'config.guest must be an object';
    if (g.cpu_kind !== 'shared' && g.cpu_kind !== 'performance')
      return 'config.guest.cpu_kind must be shared or performance';
    if (!Number.isInteger(g.cpus) || (g.cpus as number) < 1)
      return 'config.guest.cpus must be a positive integer';
    if (!Number.isInteger(g.memory_mb) || (g.memory_mb as number) % 256 !== 0) {
      return 'config.guest.memory_mb must be a multiple of 256';
    }
  }
  if (config.services !== undefined) {
    if (!Array.isArray(config.services)) return 'config.services must be an array';
    for (const [i, s] of config.services.entries()) {
      if (!isObject(s)) return `config.services[${i}] must be an object`;
      if (s.protocol !== 'tcp' && s.protocol !== 'udp')
        return `config.services[${i}].protocol must be tcp or udp`;
      if (!isPort(s.internal_port)) return `config.services[${i}].internal_port must be a port`;
      if (!Array.isArray(s.ports)) return `config.services[${i}].ports must be an array`;
      for (const [j, p] of s.ports.entries()) {
        if (!isObject(p) || !isPort(p.port)) return `config.services[${i}].ports[${j}].port must be a port`;
      }
    }
  }
  if (config.mounts !== undefined) {
    if (!Array.isArray(config.mounts)) return 'config.mounts must be an array';
    for (const [i, m] of config.mounts.entries()) {
      if (!isObject(m)) return `config.mounts[${i}] must be an object`;
      for (const key of Object.keys(m))
        if (!MOUNT_KEYS.has(key)) return `config.mounts[${i}]: unknown field "${key}"`;
      if (typeof m.path !== 'string' || !m.path.startsWith('/'))
        return `config.mounts[${i}].path must be absolute`;
    }
  }
  if (config.checks !== undefined) {
    if (!isObject(config.checks)) return 'config.checks must be an object keyed by check name';
    for (const [name, c] of Object.entries(config.checks)) {
      if (!isObject(c) || (c.type !== 'http' && c.type !== 'tcp'))
        return `config.checks.${name}.type must be http or tcp`;
      if (!isPort(c.port)) return `config.checks.${name}.port must be a port`;
    }
  }
  if (config.metrics !== undefined) {
    const m = config.metrics;
    if (!isObject(m) || !isPort(m.port) || typeof m.path !== 'string')
      return 'config.metrics needs port and path';
  }
  if (config.restart !== undefined) {
    const r = config.restart;
    if (!isObject(r) || !['no', 'always', 'on-failure'].includes(String(r.policy))) {
      return 'config.restart.policy must be no, always or on-failure';
    }
  }
  return undefined;
}
