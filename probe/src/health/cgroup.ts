import { readFileSync } from 'node:fs';

export interface CpuThrottle {
  nrPeriods: number;
  nrThrottled: number;
  throttledUsec: number;
}

/** cgroup v2 first; v1's cpu controller reports throttled_time in ns. */
export const CGROUP_CPU_STAT_PATHS = ['/sys/fs/cgroup/cpu.stat', '/sys/fs/cgroup/cpu/cpu.stat'];

/** Parses a cpu.stat file (v2 `throttled_usec` or v1 `throttled_time` in ns); undefined when it has no throttling data. */
export function parseCpuStat(text: string): CpuThrottle | undefined {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value && /^\d+$/.test(value)) fields.set(key, Number(value));
  }
  const nrPeriods = fields.get('nr_periods');
  const nrThrottled = fields.get('nr_throttled');
  const usec = fields.get('throttled_usec') ?? scaled(fields.get('throttled_time'), 1 / 1000);
  if (nrPeriods === undefined || nrThrottled === undefined || usec === undefined) return undefined;
  return { nrPeriods, nrThrottled, throttledUsec: Math.round(usec) };
}

function scaled(v: number | undefined, factor: number): number | undefined {
  return v === undefined ? undefined : v * factor;
}

/** Reads the first readable cpu.stat among `paths`; undefined when none is readable. */
export function readCpuThrottle(paths: readonly string[] = CGROUP_CPU_STAT_PATHS): CpuThrottle | undefined {
  for (const path of paths) {
    try {
      const parsed = parseCpuStat(readFileSync(path, 'utf8'));
      if (parsed) return parsed;
    } catch {
      // not readable here (no cgroup, other version): try the next
    }
  }
  return undefined;
}

export function throttleDelta(now: CpuThrottle, before: CpuThrottle): CpuThrottle {
  return {
    nrPeriods: Math.max(0, now.nrPeriods - before.nrPeriods),
    nrThrottled: Math.max(0, now.nrThrottled - before.nrThrottled),
    throttledUsec: Math.max(0, now.throttledUsec - before.throttledUsec),
  };
}
