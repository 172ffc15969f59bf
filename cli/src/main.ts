import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Io } from './command.ts';
import { parseCommandArgs } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { CliError, errorMessage } from './errors.ts';
import { sanitize } from './output/sanitize.ts';

function topLevelHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: flyprobe <command> [options]

Synthetic multi-region probing for apps on Fly.io.

Commands:
${lines.join('\n')}

Run "flyprobe <command> --help" for a command's options.`;
}

/** Runs one CLI invocation and resolves to its exit code; never throws. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${topLevelHelp()}\n`);
    return name === undefined ? 2 : 0;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    io.stderr.write(`flyprobe: unknown command "${name}"\n\n${topLevelHelp()}\n`);
    return 2;
  }
  try {
    const command = await entry.load();
    const args = parseCommandArgs(command, rest);
    if (args.help) {
      io.stdout.write(`${command.help}\n`);
      return 0;
    }
    return await command.run(args, io);
  } catch (err) {
    // One prefixed line per problem, so a list of bad regions reads like separate errors.
    for (const line of sanitize(errorMessage(err)).split('\n'))
      io.stderr.write(`flyprobe ${name}: ${line}\n`);
    if (err instanceof CliError) {
      if (err.exitCode === 2) io.stderr.write(`Run "flyprobe ${name} --help" for usage.\n`);
      return err.exitCode;
    }
    return 1;
  }
}

function processIo(): Io {
  const env = process.env;
  const tty = process.stdout.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  return { stdout: process.stdout, stderr: process.stderr, env, color: tty || env.FORCE_COLOR === '1' };
}

/** Runs the CLI on this process's argv and exits with its code once stdout is flushed (piped --json/--csv). */
export async function runProcess(): Promise<void> {
  const code = await main(process.argv.slice(2), processIo());
  process.stdout.write('', () => process.exit(code));
}

/** True when node was started on this file (`node --import tsx cli/src/main.ts <cmd>`). */
function startedDirectly(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

// bin/flyprobe.mjs imports this module and calls runProcess() itself.
if (startedDirectly()) await runProcess();
