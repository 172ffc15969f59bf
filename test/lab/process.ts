import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ProcessSpec {
  /** Shown in errors and log names. */
  name: string;
  /** Namespace to run in; null runs in the current one. */
  netns: string | null;
  /** Script run with `node --import tsx`, relative to the repo root. */
  script: string;
  args?: string[];
  env: Record<string, string>;
  logPath: string;
  /** Scheduling niceness (negative = more CPU share; needs root). */
  nice?: number;
  /** Keep stdin as a pipe (for processes fed through stdin). */
  stdin?: boolean;
}

/** One real process of the lab (probe, echo, collector, edge) with its output in a log file. */
export class LabProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private child: ChildProcess;
  private log: WriteStream;
  private done = false;
  private stdoutLines: ((line: string) => void)[] = [];

  constructor(readonly spec: ProcessSpec) {
    const niced = spec.nice ? ['nice', '-n', String(spec.nice)] : [];
    const node = [...niced, process.execPath, '--import', 'tsx', spec.script, ...(spec.args ?? [])];
    const [cmd, ...args] = spec.netns ? ['ip', 'netns', 'exec', spec.netns, ...node] : node;
    this.log = createWriteStream(spec.logPath, { flags: 'a' });
    this.child = spawn(cmd as string, args, {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...spec.env },
      stdio: [spec.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    this.child.stdout?.on('data', (d: Buffer) => {
      this.append(d);
      partial += d.toString();
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) for (const f of this.stdoutLines) f(line);
    });
    this.child.stderr?.on('data', (d: Buffer) => this.append(d));
    // 'close' comes after the output streams ended: only then is the log complete.
    this.child.once('close', () => this.log.end());
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.done = true;
        resolve({ code, signal });
      });
      this.child.once('error', (err) => {
        this.done = true;
        this.append(`spawn failed: ${err.message}\n`);
        resolve({ code: null, signal: null });
      });
    });
  }

  private append(chunk: Buffer | string): void {
    if (!this.log.writableEnded) this.log.write(chunk);
  }

  /** Writes a line to the process's stdin (processes started with `stdin: true`). */
  writeLine(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.done;
  }

  /** Resolves with the first stdout line matching; rejects when the process exits first or time runs out. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          finish(
            new Error(
              `${this.spec.name}: no line matching ${pattern} within ${timeoutMs} ms; ${this.tail()}`,
            ),
          ),
        timeoutMs,
      );
      const onLine = (line: string) => {
        if (pattern.test(line)) finish(undefined, line);
      };
      const finish = (err?: Error, line?: string) => {
        clearTimeout(timer);
        this.stdoutLines = this.stdoutLines.filter((f) => f !== onLine);
        if (err) reject(err);
        else resolve(line as string);
      };
      this.stdoutLines.push(onLine);
      void this.exited.then(({ code, signal }) =>
        finish(new Error(`${this.spec.name} exited (${code ?? signal}) before ready; ${this.tail()}`)),
      );
    });
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child.kill(sig);
  }

  /** Sends `sig` and waits for the exit; SIGKILL after `graceMs`. */
  async stop(
    sig: NodeJS.Signals = 'SIGTERM',
    graceMs = 10_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running) return this.exited;
    this.child.kill(sig);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }

  /** The end of the log, for error messages. */
  tail(chars = 2000): string {
    try {
      return `log ${this.spec.logPath}: ${readFileSync(this.spec.logPath, 'utf8').slice(-chars)}`;
    } catch {
      return `log ${this.spec.logPath} unreadable`;
    }
  }
}
