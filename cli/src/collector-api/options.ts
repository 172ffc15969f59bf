import type { OptionSpecs, ParsedArgs } from '../command.ts';
import { stringOption } from '../command.ts';
import { type CollectorTarget, collectorTarget } from './client.ts';

/** Flags every collector-facing command takes. */
export const COLLECTOR_OPTIONS: OptionSpecs = {
  collector: { type: 'string' },
  token: { type: 'string' },
};

export const COLLECTOR_HELP = `  --collector URL   collector base URL (FLYPROBE_COLLECTOR_URL)
  --token T         read or admin token (FLYPROBE_TOKEN)`;

export function collectorFlags(args: ParsedArgs): { collector?: string; token?: string } {
  return { collector: stringOption(args, 'collector'), token: stringOption(args, 'token') };
}

/** The collector with an admin token: --token, else FLYPROBE_TOKEN, else FLYPROBE_ADMIN_TOKEN. */
export function adminTarget(args: ParsedArgs, env: NodeJS.ProcessEnv): CollectorTarget | undefined {
  const flags = collectorFlags(args);
  return collectorTarget(
    { ...flags, token: flags.token ?? env.FLYPROBE_TOKEN ?? env.FLYPROBE_ADMIN_TOKEN },
    env,
  );
}
