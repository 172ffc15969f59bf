import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Check, CheckOutput, StreamCheck } from '../../checks/core/check.ts';
import type { CheckSpec } from '../../checks/index.ts';

/** A loopback TCP server that answers `ok` after the delay the client asks for (`<ms>\n`). */
export class DelayServer {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server = createServer((socket) => {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', (chunk) => {
      const delay = Number.parseInt(chunk.toString(), 10) || 0;
      const t = setTimeout(() => socket.end('ok\n'), delay);
      socket.on('close', () => clearTimeout(t));
    });
    socket.on('close', () => this.sockets.delete(socket));
  });
  port = 0;

  static async start(): Promise<DelayServer> {
    const s = new DelayServer();
    await new Promise<void>((r) => s.server.listen(0, '127.0.0.1', r));
    s.port = (s.server.address() as AddressInfo).port;
    return s;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export interface LoopbackCheckOptions {
  /** Server-side delay per spec (by target name). */
  delayMs(spec: CheckSpec): number;
  /** Behave like a buggy check that never looks at its AbortSignal. */
  ignoreAbort?(spec: CheckSpec): boolean;
}

/** A real TCP round trip to a DelayServer, instrumented to observe overlap and concurrency. */
export class LoopbackCheck implements Check {
  readonly protocol = 'tcp' as const;
  readonly active = new Map<string, number>();
  maxActivePerTarget = 0;
  maxActive = 0;
  private activeTotal = 0;
  readonly started: { target: string; at: number }[] = [];
  readonly aborted: string[] = [];

  constructor(
    private readonly port: number,
    private readonly opts: LoopbackCheckOptions,
  ) {}

  async run(spec: CheckSpec, signal?: AbortSignal): Promise<CheckOutput> {
    const startedAt = Date.now();
    const t0 = performance.now();
    this.started.push({ target: spec.target, at: t0 });
    const n = (this.active.get(spec.target) ?? 0) + 1;
    this.active.set(spec.target, n);
    this.maxActivePerTarget = Math.max(this.maxActivePerTarget, n);
    this.maxActive = Math.max(this.maxActive, ++this.activeTotal);
    try {
      const outcome = await this.roundTrip(spec, this.opts.ignoreAbort?.(spec) ? undefined : signal);
      if (outcome !== 'ok') this.aborted.push(spec.target);
      return {
        target: spec.target,
        path: spec.path,
        protocol: 'tcp',
        startedAt,
        latencyMs: outcome === 'ok' ? performance.now() - t0 : undefined,
        phases: { total: performance.now() - t0 },
        outcome,
      };
    } finally {
      this.active.set(spec.target, (this.active.get(spec.target) ?? 1) - 1);
      this.activeTotal--;
    }
  }

  private roundTrip(spec: CheckSpec, signal: AbortSignal | undefined): Promise<'ok' | 'timeout' | 'error'> {
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1', () => socket.write(`${this.opts.delayMs(spec)}\n`));
      const finish = (o: 'ok' | 'timeout' | 'error') => {
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        resolve(o);
      };
      const onAbort = () => finish('timeout');
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('data', () => finish('ok'));
      socket.once('error', () => finish('error'));
      socket.once('close', () => finish('error'));
    });
  }
}

/** A stream over a DelayServer connection: open until the server answers (ends) or the signal aborts. */
export class LoopbackStreamCheck implements StreamCheck {
  readonly protocol = 'grpc' as const;
  opens = 0;

  constructor(
    private readonly port: number,
    private readonly lifetimeMs: number,
  ) {}

  hold(spec: CheckSpec, emit: (output: CheckOutput) => void, signal: AbortSignal): Promise<void> {
    this.opens++;
    const startedAt = Date.now();
    const t0 = performance.now();
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1', () => socket.write(`${this.lifetimeMs}\n`));
      const end = (reason: 'ok' | 'cancelled') => {
        signal.removeEventListener('abort', onAbort);
        socket.destroy();
        emit({
          target: spec.target,
          path: spec.path,
          protocol: 'grpc',
          startedAt,
          phases: { total: performance.now() - t0 },
          outcome: 'ok',
          stream: {
            streamId: `s${this.opens}`,
            event: 'end',
            openedAt: startedAt,
            lifetimeMs: performance.now() - t0,
            ticks: 0,
            maxGapMs: 0,
            endReason: reason,
          },
        });
        resolve();
      };
      const onAbort = () => end('cancelled');
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('data', () => end('ok'));
      socket.once('error', () => end('ok'));
    });
  }
}
