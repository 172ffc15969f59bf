import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { pythonCommand } from '../capability.ts';
import type { EmulatorPair } from '../delay-model.ts';

const EMULATOR_PY = fileURLToPath(new URL('./emulator.py', import.meta.url));

export interface EmulatorEndpoint {
  name: string;
  ifname: string;
  addresses: string[];
}

export interface EmulatorConfig {
  endpoints: EmulatorEndpoint[];
  anycast: string[];
  pairs: EmulatorPair[];
  /** Source endpoint -> edge endpoint receiving its anycast traffic. */
  catchment: Record<string, string>;
  /** Flycast addresses: delivered to the source's `flycastEdges` entry, dropped for sources without one. */
  flycast: string[];
  /** Private-network endpoint -> the edge of its own region (fixed: Flycast has no BGP catchment). */
  flycastEdges: Record<string, string>;
  maxQueue?: number;
  maxPairQueue?: number;
  /** Subtracted from every scheduled delay to offset the emulator's own wake-up lateness (ms). */
  compensationMs?: number;
  seed?: number;
}

export interface EmulatorStats {
  forwarded: number;
  dropped: Record<
    'loss' | 'blackhole' | 'no_route' | 'no_catchment' | 'not_private' | 'queue_full' | 'write_error',
    number
  >;
  queued: number;
  cpuSeconds: number;
  pairs: { src: string; dst: string; forwarded: number }[];
}

/** The running python3 WAN emulator and its JSON-lines control channel. */
export class WanEmulator {
  private socket: Socket | undefined;
  private buffer = '';
  private readonly waiting: { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }[] =
    [];
  private exited = false;

  private constructor(
    readonly child: ChildProcess,
    readonly controlPath: string,
  ) {
    child.once('exit', () => {
      this.exited = true;
      for (const w of this.waiting.splice(0)) w.reject(new Error('WAN emulator exited'));
    });
  }

  /** Writes the config into `dir`, starts the emulator and waits until its TUN devices exist. */
  static async start(
    config: EmulatorConfig,
    dir: string,
    realtime = false,
    timeoutMs = 10_000,
  ): Promise<WanEmulator> {
    const controlPath = join(dir, 'wan.sock');
    const configPath = join(dir, 'wan.json');
    writeFileSync(configPath, JSON.stringify({ ...config, control: controlPath }));
    // stdin stays open: the emulator exits when it closes, so it never outlives the lab process.
    // Round-robin real-time scheduling keeps packet release on time on a busy machine; it uses little CPU.
    const command = realtime ? ['chrt', '--rr', '20', pythonCommand()] : [pythonCommand()];
    const child = spawn(command[0] as string, [...command.slice(1), EMULATOR_PY, configPath], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const emulator = new WanEmulator(child, controlPath);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`WAN emulator not ready after ${timeoutMs} ms: ${stderr}`)),
        timeoutMs,
      );
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      lines.once('line', (line) => {
        clearTimeout(timer);
        if (line.includes('"ready": true')) resolve();
        else reject(new Error(`WAN emulator said: ${line} ${stderr}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`WAN emulator exited with ${code}: ${stderr.trim()}`));
      });
    });
    return emulator;
  }

  private async connection(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return this.socket;
    const socket = connect(this.controlPath);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('data', (d: Buffer) => {
      this.buffer += d.toString();
      let nl = this.buffer.indexOf('\n');
      while (nl >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        const w = this.waiting.shift();
        if (w) {
          const answer = JSON.parse(line) as Record<string, unknown>;
          if (answer.ok) w.resolve(answer);
          else w.reject(new Error(`WAN emulator: ${String(answer.error)}`));
        }
        nl = this.buffer.indexOf('\n');
      }
    });
    socket.on('error', (err) => {
      for (const w of this.waiting.splice(0)) w.reject(err);
    });
    this.socket = socket;
    return socket;
  }

  /** Sends one control request and resolves with the emulator's answer. */
  async request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.exited) throw new Error('WAN emulator is not running');
    const socket = await this.connection();
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      socket.write(`${JSON.stringify(body)}\n`);
    });
  }

  setPairs(pairs: EmulatorPair[]): Promise<unknown> {
    return this.request({ op: 'pairs', pairs });
  }

  /** Moves anycast traffic of source endpoints to edge endpoints (null: drop it). */
  setCatchment(table: Record<string, string | null>): Promise<unknown> {
    return this.request({ op: 'catchment', table });
  }

  setBlackhole(endpoint: string, on: boolean): Promise<unknown> {
    return this.request({ op: 'blackhole', endpoint, on });
  }

  async stats(): Promise<EmulatorStats> {
    return (await this.request({ op: 'stats' })) as unknown as EmulatorStats;
  }

  async stop(): Promise<void> {
    this.socket?.destroy();
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}
