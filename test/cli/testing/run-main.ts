import { Writable } from 'node:stream';
import { main } from '../../../cli/src/main.ts';
import type { CliRun } from './run-cli.ts';

function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/**
 * Runs the CLI's main() in this process: for argument and usage checks that never reach the network,
 * where starting a process per case would only add seconds. Behaviour is the binary's (same entry).
 */
export async function runMain(
  args: string[],
  env: Record<string, string> = {},
  color = false,
): Promise<CliRun> {
  const out = collector();
  const err = collector();
  const code = await main(args, { stdout: out.stream, stderr: err.stream, env, color });
  return { code, stdout: out.text(), stderr: err.text() };
}
