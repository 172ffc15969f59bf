import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type ProbeIdentity, probeIdentity } from '@flyprobe/shared';
import type { BufferedResult } from './buffered-result.ts';
import { SpoolSegment } from './spool-segment.ts';

export interface SpoolOptions {
  /** Longest a write may wait to be grouped with others before write + fsync. */
  syncMs: number;
  /** A new segment is started past this size so settled ones can be deleted. */
  segmentMaxBytes?: number;
  onError(err: Error): void;
}

export interface SpoolRecovery {
  /** Unsettled results of previous boots, oldest boot first, in sequence order. */
  results: BufferedResult[];
  /** Lines that could not be read back (torn writes): lost results. */
  unreadable: number;
}

const SUFFIX = '.spool';

/** Disk spool for buffered results, so a restart (or crash) of the probe loses nothing acknowledged to memory. */
export class Spool {
  private active: SpoolSegment | undefined;
  private segmentNo = 0;
  private readonly dirty = new Set<SpoolSegment>();
  /** Every segment this process opened, so close() releases all file handles. */
  private readonly segments = new Set<SpoolSegment>();
  private timer: NodeJS.Timeout | undefined;
  private readonly segmentMaxBytes: number;

  private constructor(
    private readonly dir: string,
    private readonly probe: ProbeIdentity,
    private readonly opts: SpoolOptions,
  ) {
    this.segmentMaxBytes = opts.segmentMaxBytes ?? 4 * 1024 * 1024;
  }

  /** Opens (creating) the directory and reads back what previous boots left unsettled. */
  static async open(
    dir: string,
    probe: ProbeIdentity,
    opts: SpoolOptions,
  ): Promise<{ spool: Spool; recovered: SpoolRecovery }> {
    await mkdir(dir, { recursive: true });
    const spool = new Spool(dir, probe, opts);
    const recovered = await spool.recover();
    return { spool, recovered };
  }

  /** Persists a result of the current boot and links it to its segment for settling. */
  append(entry: BufferedResult): void {
    if (!this.active || this.active.bytes > this.segmentMaxBytes) this.rotate();
    const segment = this.active!;
    segment.append(entry.seq, entry.json);
    entry.spool = segment;
  }

  /** Writes and fsyncs everything pending now. */
  async sync(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const segments = [...this.dirty];
    this.dirty.clear();
    await Promise.all(segments.map((s) => s.sync()));
    for (const s of segments) if (s.isRemoved) this.segments.delete(s);
  }

  async close(): Promise<void> {
    await this.sync();
    await Promise.all([...this.segments].map((s) => s.close()));
  }

  private rotate(): void {
    const previous = this.active;
    if (previous) {
      previous.active = false;
      this.markDirty(previous);
    }
    const name = `${this.probe.bootId}-${String(this.segmentNo++).padStart(6, '0')}${SUFFIX}`;
    this.active = this.segment(join(this.dir, name), this.probe, { active: true, existing: false });
  }

  private segment(
    path: string,
    probe: ProbeIdentity,
    opts: { active: boolean; existing: boolean },
  ): SpoolSegment {
    const segment = new SpoolSegment(
      path,
      probe,
      opts,
      (s) => this.markDirty(s),
      (err) => this.opts.onError(err),
    );
    this.segments.add(segment);
    return segment;
  }

  private markDirty(segment: SpoolSegment): void {
    this.dirty.add(segment);
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.sync();
      }, this.opts.syncMs);
    }
  }

  private async recover(): Promise<SpoolRecovery> {
    const files = (await readdir(this.dir)).filter((f) => f.endsWith(SUFFIX));
    const parsed: { createdAt: number; name: string; results: BufferedResult[]; segment: SpoolSegment }[] =
      [];
    let unreadable = 0;
    for (const name of files) {
      const path = join(this.dir, name);
      const text = await readFile(path, 'utf8');
      const lines = text.split('\n');
      let header: { createdAt: number; probe: ProbeIdentity } | undefined;
      const records = new Map<number, string>();
      const settled: [number, number][] = [];
      for (const line of lines) {
        if (!line) continue;
        let doc: unknown;
        try {
          doc = JSON.parse(line);
        } catch {
          unreadable++;
          continue;
        }
        const d = doc as {
          h?: number;
          createdAt?: number;
          probe?: unknown;
          s?: number;
          r?: unknown;
          a?: unknown;
        };
        if (d.h === 1) {
          const p = probeIdentity.safeParse(d.probe);
          if (p.success) header = { createdAt: Number(d.createdAt) || 0, probe: p.data };
        } else if (typeof d.s === 'number' && d.r !== undefined) {
          records.set(d.s, JSON.stringify(d.r));
        } else if (Array.isArray(d.a)) {
          for (const range of d.a)
            if (Array.isArray(range)) settled.push([Number(range[0]), Number(range[1])]);
        } else unreadable++;
      }
      if (!header) {
        // Without its identity nothing in the file can be sent under its original key.
        unreadable += records.size;
        continue;
      }
      for (const [from, to] of settled) removeRange(records, from, to);
      const segment = this.segment(path, header.probe, { active: false, existing: true });
      const results = [...records.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(
          ([seq, json]): BufferedResult => ({
            probe: header!.probe,
            seq,
            json,
            bytes: Buffer.byteLength(json),
            spool: segment,
          }),
        );
      segment.restoreLive(results.length, (await stat(path)).size);
      if (results.length === 0) this.markDirty(segment);
      parsed.push({ createdAt: header.createdAt, name, results, segment });
    }
    parsed.sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name));
    return { results: parsed.flatMap((p) => p.results), unreadable };
  }
}

/** Deletes keys in [from, to], walking whichever is smaller: the range or the map (a corrupt range may be huge). */
function removeRange(records: Map<number, string>, from: number, to: number): void {
  if (!(to >= from)) return;
  if (to - from <= records.size) {
    for (let seq = from; seq <= to; seq++) records.delete(seq);
    return;
  }
  for (const seq of [...records.keys()]) if (seq >= from && seq <= to) records.delete(seq);
}
