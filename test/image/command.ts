import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface CommandOptions {
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Full output goes here (builds print thousands of lines); errors quote its tail. */
  logPath?: string;
  /** Fed to stdin, then closed. */
  input?: NodeJS.ReadableStream;
}

const TAIL_CHARS = 4000;

/** Runs a command to completion and returns its stdout; a failure or a timeout names the command and quotes its output. */
export function command(cmd: string, args: readonly string[], o: CommandOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: o.cwd,
      env: o.env ?? process.env,
      stdio: [o.input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const log = o.logPath ? createWriteStream(o.logPath, { flags: 'a' }) : undefined;
    log?.write(`$ ${cmd} ${args.join(' ')}\n`);
    let stdout = '';
    let tail = '';
    const keep = (d: Buffer) => {
      log?.write(d);
      tail = (tail + d.toString()).slice(-TAIL_CHARS);
    };
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      keep(d);
    });
    child.stderr?.on('data', keep);
    if (o.input && child.stdin) o.input.pipe(child.stdin);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, o.timeoutMs);
    const fail = (why: string) =>
      reject(
        new Error(
          `${cmd} ${args.join(' ')}: ${why}${o.logPath ? ` (log: ${o.logPath})` : ''}\n${tail.trim()}`,
        ),
      );
    child.once('error', (err) => {
      clearTimeout(timer);
      log?.end();
      fail(err.message);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      log?.end();
      if (timedOut) fail(`timed out after ${o.timeoutMs} ms`);
      else if (code === 0) resolve(stdout);
      else fail(`exit ${code ?? signal}`);
    });
  });
}
