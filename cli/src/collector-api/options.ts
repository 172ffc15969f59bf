import type { OptionSpecs, ParsedArgs } from '../command.ts';
import { stringOption } from '../command.ts';

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
