import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.ts';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Where a command writes; tests and the main entry pass the process streams. */
export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal that understands ANSI colours. */
  color: boolean;
}

export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

export interface Command {
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text: usage line, description and options. */
  help: string;
  options: OptionSpecs;
  /** Whether the command takes positional arguments (sub-commands such as `tokens create`). */
  positionals?: boolean;
  /** Resolves to the process exit code. Throws CliError for reported failures. */
  run(args: ParsedArgs, io: Io): Promise<number>;
}

/** Parses argv for one command; unknown flags and stray arguments are usage errors. */
export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs & { help: boolean } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.positionals === true,
      strict: true,
    });
    const help = values.help === true;
    delete values.help;
    return { values: values as OptionValues, positionals, help };
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message.replace(/\. To specify.*$/s, '') : String(err));
  }
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function flagOption(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** Parses a positive integer flag; a non-number is a usage error naming the flag. */
export function intOption(args: ParsedArgs, name: string, fallback: number, min = 1, max = 1_000): number {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}
