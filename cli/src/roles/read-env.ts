import { EnvError, type EnvSpec, type EnvValues, readEnv } from '@flyprobe/shared';
import { CliError } from '../errors.ts';

/** A TCP port, 0 meaning pick a free one. */
export function portNumber(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`must be a port number from 0 to 65535, got "${raw}"`);
  return port;
}

/** The shared env reader for a role command: every bad variable on its own `flyprobe <role>:` line. */
export function readRoleEnv<S extends EnvSpec>(env: NodeJS.ProcessEnv, spec: S): EnvValues<S> {
  try {
    return readEnv(env, spec);
  } catch (err) {
    if (err instanceof EnvError)
      throw new CliError(err.problems.map((p) => `${p.name} ${p.reason}`).join('\n'));
    throw err;
  }
}
