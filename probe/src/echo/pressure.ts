import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EchoPressure } from '@flyprobe/shared';
import { parseCpuStat } from '../health/cgroup.ts';

/** `key value` lines (cpu.stat, memory.events) as numbers. */
function keyValues(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v && /^\d+$/.test(v)) out.set(k, Number(v));
  }
  return out;
}

/** `some avg10=1.23 avg60=... total=...` from a PSI file. */
export function parseSomeAvg10(text: string): number | undefined {
  const m = /^some\s.*\bavg10=(\d+(?:\.\d+)?)/m.exec(text);
  if (!m) return undefined;
  const v = Number(m[1]);
  return v >= 0 && v <= 100 ? v : undefined;
}

function read(dir: string, file: string): string | undefined {
  try {
    return readFileSync(join(dir, file), 'utf8');
  } catch {
    return undefined;
  }
}

/** The pressure counters of cgroup directory `dir` (v2, or v1's memory controller); undefined when none is readable. */
export function readPressure(dir: string): EchoPressure | undefined {
  const p: EchoPressure = {};
  const cpu = read(dir, 'cpu.stat');
  const throttle = cpu ? parseCpuStat(cpu) : undefined;
  if (throttle) {
    p.cpuNrThrottled = throttle.nrThrottled;
    p.cpuThrottledUsec = throttle.throttledUsec;
  }
  const events = read(dir, 'memory.events');
  if (events) {
    const e = keyValues(events);
    const set = (key: 'memoryHigh' | 'memoryOom' | 'memoryOomKill', name: string) => {
      const v = e.get(name);
      if (v !== undefined) p[key] = v;
    };
    set('memoryHigh', 'high');
    set('memoryOom', 'oom');
    set('memoryOomKill', 'oom_kill');
  }
  const psi = read(dir, 'memory.pressure');
  const avg10 = psi ? parseSomeAvg10(psi) : undefined;
  if (avg10 !== undefined) p.memorySomeAvg10 = avg10;
  const max = read(dir, 'memory.max')?.trim();
  if (max && /^\d+$/.test(max)) p.memoryMaxBytes = Number(max);
  // cgroup v1's memory controller: the OOM kill count and the limit (a huge number means none).
  const v1Oom = read(dir, 'memory.oom_control');
  const v1Kills = v1Oom ? keyValues(v1Oom).get('oom_kill') : undefined;
  if (v1Kills !== undefined && p.memoryOomKill === undefined) p.memoryOomKill = v1Kills;
  const v1Limit = read(dir, 'memory.limit_in_bytes')?.trim();
  if (v1Limit && /^\d+$/.test(v1Limit) && Number(v1Limit) < 2 ** 52 && p.memoryMaxBytes === undefined)
    p.memoryMaxBytes = Number(v1Limit);
  return Object.keys(p).length > 0 ? p : undefined;
}

/** Reads at most once per `ttlMs`: every echo answer carries the counters, so they must cost nothing per request. */
export function cachedPressure(dir: string, ttlMs = 1000, now = Date.now): () => EchoPressure | undefined {
  let at = Number.NEGATIVE_INFINITY;
  let value: EchoPressure | undefined;
  return () => {
    if (now() - at >= ttlMs) {
      value = readPressure(dir);
      at = now();
    }
    return value;
  };
}
