import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Heartbeat, ProbeIdentity } from '@flyprobe/shared';
import type { Statement } from '../core/sql.ts';
import { StoreUnavailableError } from '../store.ts';
import type { PackedRows } from './packed-rows.ts';
import type { WriterData, WriterReply, WriterRequest } from './writer-protocol.ts';

/** After a crash, at most one new writer thread per this many ms: a thread that cannot start fails fast. */
const RESTART_MS = 1000;

/**
 * The writer thread's young generation (V8 gives a third of it to each of the two semi-spaces): its garbage is
 * per batch (bind values, ids, the deserialized strings) and little of it survives, so a small one costs little
 * CPU. Without a limit it grows like the event loop's, to the process's --max-semi-space-size.
 */
const YOUNG_GENERATION_MB = 3;

/**
 * The writer thread's entry, as a literal URL relative to this module: the collector bundle
 * (collector/build/url-assets.ts) bundles its target as a worker and rewrites it to workers/writer-worker.mjs.
 */
const WORKER_ENTRY = new URL('./writer-worker.ts', import.meta.url);

interface Waiting {
  resolve(numbers: Float64Array | null): void;
  reject(error: Error): void;
}

/**
 * The event loop's side of the SQLite writer thread (writer-worker.ts): posts each write, resolves it when
 * the thread reports its commit durable. A thread that stops unexpectedly fails every write it had not
 * answered with StoreUnavailableError (never an answer that claims durability), and the next write
 * starts a new thread, after `restarted` has run on this thread (the store folds rows the old thread
 * committed but never reported into its rollups).
 */
export class WriterThread {
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private lastStart = 0;
  private started = false;
  private closed = false;
  private lastError = '';

  constructor(
    private readonly data: WriterData,
    private readonly restarted: () => void,
    private readonly entry: URL = WORKER_ENTRY,
  ) {
    this.start();
  }

  /** Inserts results; resolves with each one's new id (0: duplicate) once durable. */
  results(probe: ProbeIdentity, receivedAt: number, rows: PackedRows): Promise<Float64Array> {
    const transfer = [rows.numbers.buffer, rows.codes.buffer];
    return this.send(
      (id) => ({ op: 'results', id, probe, receivedAt, rows }),
      transfer,
    ) as Promise<Float64Array>;
  }

  /** Records a probe's identity and heartbeat; resolves once durable. */
  async probe(identity: ProbeIdentity, heartbeat: Heartbeat | undefined, at: number): Promise<void> {
    await this.send((id) => ({ op: 'probe', id, identity, heartbeat, at }));
  }

  /**
   * Runs the statements in order in one transaction (all or none) of the thread's next group commit; resolves
   * with each one's changed rows once durable.
   */
  async statements(statements: readonly Statement[]): Promise<number[]> {
    const changes = (await this.send((id) => ({ op: 'statements', id, statements }))) as Float64Array;
    return Array.from(changes);
  }

  /** Lets the thread commit and answer everything it received, then waits for it to exit. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.ref();
    worker.postMessage({ op: 'close' } satisfies WriterRequest);
    await exited;
  }

  private send(
    request: (id: number) => WriterRequest,
    transfer: ArrayBuffer[] = [],
  ): Promise<Float64Array | null> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('the SQLite writer is closed'));
    if (!this.worker && !this.start())
      return Promise.reject(new StoreUnavailableError(`the SQLite writer thread stopped: ${this.lastError}`));
    const worker = this.worker as Worker;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // Writes in flight hold the process open (an idle thread must not): their callers await them.
      if (this.waiting.size === 0) worker.ref();
      this.waiting.set(id, { resolve, reject });
      worker.postMessage(request(id), transfer);
    });
  }

  private start(): boolean {
    const now = Date.now();
    if (this.started && now - this.lastStart < RESTART_MS) return false;
    if (this.started) this.restarted();
    this.started = true;
    this.lastStart = now;
    allowOwnYoungGeneration();
    const worker = new Worker(this.entry, {
      workerData: this.data satisfies WriterData,
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
      execArgv: [...typeScriptLoader(this.entry), ...profilerFlags()],
    });
    worker.on('message', (reply: WriterReply) => {
      const waiting = this.waiting.get(reply.id);
      if (!waiting) return;
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) worker.unref();
      if (reply.ok) waiting.resolve(reply.numbers);
      else waiting.reject(new Error(reply.error));
    });
    worker.on('error', (error) => {
      this.lastError = String(error);
    });
    worker.once('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      if (!this.lastError) this.lastError = `exit code ${code}`;
      const failed = new StoreUnavailableError(`the SQLite writer thread stopped: ${this.lastError}`);
      this.lastError = '';
      for (const w of this.waiting.values()) w.reject(failed);
      this.waiting.clear();
    });
    worker.unref();
    this.worker = worker;
    return true;
  }
}

/**
 * V8 flags are process-wide, and --max-semi-space-size (the collector image sets it for the event loop) overrides
 * a new isolate's resourceLimits. Each isolate reads it once, when it is created: clearing it here leaves the
 * event loop's isolate as it started and lets the writer thread's own limit apply.
 */
function allowOwnYoungGeneration(): void {
  setFlagsFromString('--max-semi-space-size=0');
}

/**
 * Node options a worker needs to run `entry`: a TypeScript entry (tests, `node --import tsx`, a CLI that
 * registers tsx itself) loads tsx in the worker; a bundled JavaScript entry needs nothing.
 */
function typeScriptLoader(entry: URL): string[] {
  return entry.pathname.endsWith('.ts') ? ['--import', tsxLoader()] : [];
}

/**
 * tsx as the running program finds it (the collector image's CLI has it as its own dependency, which this
 * package does not), else as this package does (tests, the workspace root).
 */
function tsxLoader(): string {
  const main = process.argv[1];
  for (const from of [main ? pathToFileURL(main).href : undefined, import.meta.url]) {
    if (from === undefined) continue;
    try {
      return createRequire(from).resolve('tsx');
    } catch {
      // not reachable from there
    }
  }
  throw new Error('the SQLite writer thread runs from TypeScript here, and tsx cannot be found to load it');
}

/** `--cpu-prof` flags of this process, so a profiled collector also writes its writer thread's profile. */
function profilerFlags(): string[] {
  return process.execArgv.filter((flag) => flag.startsWith('--cpu-prof'));
}
