import { type FileHandle, open, unlink } from 'node:fs/promises';
import type { ProbeIdentity } from '@flyprobe/shared';
import type { SpoolRef } from './buffered-result.ts';

/**
 * One append-only spool file: a header line with the boot's identity, one line per result
 * (`{"s":seq,"r":result}`) and settle lines (`{"a":[[from,to],...]}`) for results the collector
 * stored or that were dropped. Writes are grouped and fsync'd; the file is deleted once every result
 * in it is settled and it is no longer the segment being appended to.
 */
export class SpoolSegment implements SpoolRef {
  /** Results written (or to be written) and not yet settled. */
  live = 0;
  bytes = 0;
  active: boolean;
  private pending: string[] = [];
  private settled: number[] = [];
  private handle: FileHandle | undefined;
  private chain: Promise<void> = Promise.resolve();
  private removed = false;

  constructor(
    readonly path: string,
    readonly probe: ProbeIdentity,
    opts: { active: boolean; existing: boolean },
    private readonly onDirty: (segment: SpoolSegment) => void,
    private readonly onError: (err: Error) => void,
  ) {
    this.active = opts.active;
    if (!opts.existing) this.queueLine(JSON.stringify({ h: 1, createdAt: Date.now(), probe }));
  }

  /** Deleted from disk: nothing more to write or close. */
  get isRemoved(): boolean {
    return this.removed;
  }

  append(seq: number, json: string): void {
    this.live++;
    this.queueLine(`{"s":${seq},"r":${json}}`);
  }

  settle(seq: number): void {
    this.live--;
    this.settled.push(seq);
    this.onDirty(this);
  }

  /** Recovered segments start with their live count from the file. */
  restoreLive(live: number, bytes: number): void {
    this.live = live;
    this.bytes = bytes;
  }

  /** Writes what is pending and fsyncs; removes the file when nothing in it is live any more. */
  sync(): Promise<void> {
    this.chain = this.chain.then(() => this.writePending()).catch((err: Error) => this.onError(err));
    return this.chain;
  }

  async close(): Promise<void> {
    await this.sync();
    const h = this.handle;
    this.handle = undefined;
    await h?.close().catch(() => undefined);
  }

  private queueLine(line: string): void {
    this.pending.push(line);
    this.bytes += line.length + 1;
    this.onDirty(this);
  }

  private async writePending(): Promise<void> {
    if (this.removed) return;
    if (this.live === 0 && !this.active) {
      this.removed = true;
      this.pending = [];
      this.settled = [];
      const h = this.handle;
      this.handle = undefined;
      await h?.close();
      await unlink(this.path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      return;
    }
    if (this.settled.length > 0) {
      this.pending.push(JSON.stringify({ a: toRanges(this.settled) }));
      this.settled = [];
    }
    if (this.pending.length === 0) return;
    const text = `${this.pending.join('\n')}\n`;
    this.pending = [];
    this.handle ??= await open(this.path, 'a');
    await this.handle.write(text);
    await this.handle.datasync();
  }
}

/** Compresses sequence numbers into inclusive [from, to] ranges. */
export function toRanges(seqs: number[]): [number, number][] {
  const sorted = [...seqs].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + 1) last[1] = Math.max(last[1], s);
    else out.push([s, s]);
  }
  return out;
}
