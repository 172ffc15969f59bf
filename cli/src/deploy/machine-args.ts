import type { Logger } from '@flyprobe/shared';
import { COLLECTOR_OPTIONS } from '../collector-api/options.ts';
import { flagOption, type Io, type OptionSpecs, type ParsedArgs, stringOption } from '../command.ts';
import { UsageError } from '../errors.ts';
import { type MachinesClient, machinesClientFromEnv } from '../fly/machines-client.ts';
import { parseRegionList } from '../regions-arg.ts';

/** Flags `deploy` and `destroy` share: which app and regions, how to report, which Machines API. */
export const MACHINE_OPTIONS: OptionSpecs = {
  app: { type: 'string' },
  regions: { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  'api-url': { type: 'string' },
  ...COLLECTOR_OPTIONS,
};

export interface MachineArgs {
  app: string;
  regions: string[];
  json: boolean;
  dryRun: boolean;
  /** Progress lines on stderr, silent under --json so stdout and stderr stay machine-readable. */
  log: Logger;
  client: MachinesClient;
}

/** Reads the shared flags and builds the Machines API client, whose retries are logged. */
export function machineArgs(args: ParsedArgs, io: Io): MachineArgs {
  const app = stringOption(args, 'app');
  if (!app) throw new UsageError('--app is required');
  const regions = parseRegionList(stringOption(args, 'regions'));
  const json = flagOption(args, 'json');
  const log: Logger = (_level, message) => {
    if (!json) io.stderr.write(`${message}\n`);
  };
  const client = machinesClientFromEnv(io.env, { apiUrl: stringOption(args, 'api-url') }, (n) =>
    log(
      'warn',
      `retrying ${n.call} in ${(n.delayMs / 1000).toFixed(1)}s (${n.reason}, attempt ${n.attempt})`,
    ),
  );
  return { app, regions, json, dryRun: flagOption(args, 'dry-run'), log, client };
}
