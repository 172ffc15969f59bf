import { readdirSync, readFileSync } from 'node:fs';
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/** One timed sample with what else the process did meanwhile, so a slow one can be told apart from product cost. */
export interface CausedSample {
  start: number;
  wall: number;
  /** CPU of the whole process (every thread) during the sample, ms. */
  cpu: number;
  /** CPU of the thread that ran the sample (the event loop), ms. */
  mainCpu: number;
  /** CPU of the process's other threads during the sample by thread name (V8Worker: GC and JIT helpers; WorkerThread: the SQLite writer), ms. */
  threads: Map<string, number>;
  /** JS heap bytes allocated during the sample (used heap + external growth); NaN when a GC ran in it. */
  allocated: number;
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

/**
 * Times samples and keeps the process's GC pauses (perf_hooks `gc` entries, main-thread pauses) to say of the
 * slowest samples whether a GC pause or another thread's CPU (concurrent marking, sweeping, the SQLite writer
 * thread) fell inside them.
 */
export class SampleCauses {
  private readonly gcs: Array<{ start: number; end: number; kind: string }> = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as Array<PerformanceEntry & { detail?: { kind?: number } }>)
      this.gcs.push({
        start: e.startTime,
        end: e.startTime + e.duration,
        kind: GC_KINDS[e.detail?.kind ?? 0] ?? 'gc',
      });
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Runs `fn` once and measures it. */
  async time<T>(fn: () => Promise<T>): Promise<{ value: T; sample: CausedSample }> {
    const threads = threadTimes();
    const before = getHeapStatistics();
    const cpu = process.cpuUsage();
    const main = process.threadCpuUsage();
    const start = performance.now();
    const value = await fn();
    const wall = performance.now() - start;
    const used = process.cpuUsage(cpu);
    const usedMain = process.threadCpuUsage(main);
    const after = getHeapStatistics();
    const others = new Map<string, number>();
    for (const [tid, t] of threadTimes()) {
      const ms = (t.ns - (threads.get(tid)?.ns ?? 0)) / 1e6;
      if (tid !== process.pid && ms > 0) others.set(t.name, (others.get(t.name) ?? 0) + ms);
    }
    const heap = after.used_heap_size - before.used_heap_size;
    const external = Math.max(0, after.external_memory - before.external_memory);
    return {
      value,
      sample: {
        start,
        wall,
        cpu: (used.user + used.system) / 1000,
        mainCpu: (usedMain.user + usedMain.system) / 1000,
        threads: others,
        allocated: heap >= 0 ? heap + external : Number.NaN,
      },
    };
  }

  /** GC pauses inside a sample, by kind (ms). */
  gcIn(s: CausedSample): Map<string, number> {
    const out = new Map<string, number>();
    const end = s.start + s.wall;
    for (const g of this.gcs) {
      const overlap = Math.min(end, g.end) - Math.max(s.start, g.start);
      if (overlap > 0) out.set(g.kind, (out.get(g.kind) ?? 0) + overlap);
    }
    return out;
  }

  /** Median bytes allocated per sample among samples with no GC in them. */
  allocatedMedian(samples: readonly CausedSample[]): number {
    const clean = samples
      .filter((s) => !Number.isNaN(s.allocated) && this.gcIn(s).size === 0)
      .map((s) => s.allocated)
      .sort((a, b) => a - b);
    return clean.length === 0 ? Number.NaN : clean[Math.floor(clean.length / 2)]!;
  }

  /**
   * The `n` slowest samples, each with its cause as far as it shows: GC pauses inside it, and the CPU of other
   * threads (process CPU minus the event loop's: concurrent marking, sweeping, the writer thread).
   */
  slowest(samples: readonly CausedSample[], n: number): string[] {
    return [...samples]
      .sort((a, b) => b.wall - a.wall)
      .slice(0, n)
      .map((s) => {
        const gc = [...this.gcIn(s)].map(([kind, ms]) => `${kind} ${ms.toFixed(2)} ms`).join(', ');
        const others =
          [...s.threads]
            .filter(([, ms]) => ms >= 0.05)
            .sort((a, b) => b[1] - a[1])
            .map(([name, ms]) => `${name} ${ms.toFixed(2)}`)
            .join(', ') || 'none';
        const stolen = s.wall - s.mainCpu;
        return `${s.wall.toFixed(2)} ms: event loop cpu ${s.mainCpu.toFixed(2)} ms${stolen > 1 ? ` (${stolen.toFixed(2)} ms waiting: preempted or blocked)` : ''}; GC pause ${gc || 'none'}; other threads' cpu (ms) ${others}`;
      });
  }

  /** GC pauses between the first sample's start and the last one's end: count and pause time by kind. */
  gcsDuring(samples: readonly CausedSample[]): string {
    if (samples.length === 0) return 'no samples';
    const from = samples[0]!.start;
    const to = samples.at(-1)!.start + samples.at(-1)!.wall;
    const kinds = new Map<string, { n: number; ms: number }>();
    for (const g of this.gcs) {
      if (g.end < from || g.start > to) continue;
      const k = kinds.get(g.kind) ?? { n: 0, ms: 0 };
      k.n++;
      k.ms += g.end - g.start;
      kinds.set(g.kind, k);
    }
    const list = [...kinds].map(([kind, k]) => `${k.n} ${kind} (${k.ms.toFixed(1)} ms)`).join(', ');
    return list || 'none';
  }

  /** How many of `samples` over `ms` had a GC pause inside them. */
  overWithGc(samples: readonly CausedSample[], ms: number): { over: number; withGc: number } {
    const over = samples.filter((s) => s.wall > ms);
    return { over: over.length, withGc: over.filter((s) => this.gcIn(s).size > 0).length };
  }

  close(): void {
    this.observer.disconnect();
  }
}

const threadNames = new Map<string, string>();

/** On-CPU time of every thread of this process (`/proc/self/task/<tid>/schedstat`, ns) by thread id. */
function threadTimes(): Map<number, { name: string; ns: number }> {
  const out = new Map<number, { name: string; ns: number }>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out; // not Linux: thread figures are left out
  }
  for (const tid of tids) {
    try {
      const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      let name = threadNames.get(tid);
      if (name === undefined) {
        name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
        threadNames.set(tid, name);
      }
      out.set(Number(tid), { name, ns });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}
