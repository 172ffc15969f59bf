import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './commands/index.ts';
import { main } from './main.ts';

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _e, done) {
        append(chunk.toString());
        done();
      },
    });
  const code = await main(args, {
    stdout: sink((s) => {
      stdout += s;
    }),
    stderr: sink((s) => {
      stderr += s;
    }),
    env: {},
    color: false,
  });
  return { code, stdout, stderr };
}

describe('flyprobe main', () => {
  it.each(Object.keys(COMMANDS))('%s --help prints its usage and exits 0', async (name) => {
    const r = await run([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.startsWith(`Usage: flyprobe ${name}`)).toBe(true);
    expect(r.stdout).toContain('-h, --help');
    // Every option the command accepts is documented in its help.
    const command = await COMMANDS[name]!.load();
    for (const option of Object.keys(command.options))
      expect(r.stdout, `--${option}`).toContain(`--${option}`);
  });

  it('lists every command in the top-level help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(r.stdout).toMatch(new RegExp(`^  ${name}\\s`, 'm'));
  });

  it('exits 2 on no command or an unknown one', async () => {
    expect((await run([])).code).toBe(2);
    const unknown = await run(['deploi']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^flyprobe: unknown command "deploi"/);
    const proto = await run(['toString']);
    expect(proto.code).toBe(2);
  });
});
