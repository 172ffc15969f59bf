import { CliError } from '../errors.ts';

/** Reads a TCP port from an env variable (0 = pick a free one); a bad value names the variable. */
export function envPort(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new CliError(`${name} must be a port number from 0 to 65535, got "${raw}"`);
  }
  return port;
}
