import type { EchoPressure } from '@flyprobe/shared';

export interface Sample<T> {
  at: number;
  value: T;
}

export interface PressureFinding {
  kind: 'oom_kill' | 'memory_pressure' | 'cpu_throttling';
  at: number;
  what: string;
  details: Record<string, number | string | boolean | null>;
}

/** CPU throttled for at least this share of wall time over the window. */
export const THROTTLE_SHARE = 0.05;
/** memory.pressure `some avg10` at or above this percentage. */
export const MEMORY_PSI_PERCENT = 10;

const MB = 1024 * 1024;

/**
 * What a served Machine's counters say over [from, to]: the change from the last sample before the window
 * (or the first inside it) to the last inside it. Cumulative counters that went down belong to a new cgroup
 * and are read as starting from zero.
 */
export function pressureFindings(
  samples: readonly Sample<EchoPressure>[],
  window: { from: number; to: number },
): PressureFinding[] {
  const inside = samples.filter((s) => s.at >= window.from && s.at <= window.to);
  const last = inside.at(-1);
  if (!last) return [];
  const before = samples.filter((s) => s.at < window.from).at(-1) ?? inside[0];
  if (!before) return [];
  const delta = (k: keyof EchoPressure): number | undefined => {
    const a = before.value[k];
    const b = last.value[k];
    if (b === undefined) return undefined;
    return a === undefined || b < a ? b : b - a;
  };
  /** The first sample at which counter `k` had moved past its value before the window. */
  const firstChange = (k: keyof EchoPressure): number => {
    const start = before.value[k] ?? 0;
    return inside.find((s) => (s.value[k] ?? 0) !== start)?.at ?? last.at;
  };
  const out: PressureFinding[] = [];
  // The limit as last reported before the window's end (a restart may have raised it since the kill).
  const limit = last.value.memoryMaxBytes;
  const limitText = limit !== undefined ? `, memory limit ${Math.round(limit / MB)} MB` : '';
  const oomKills = delta('memoryOomKill') ?? 0;
  if (oomKills > 0) {
    const at = firstChange('memoryOomKill');
    out.push({
      kind: 'oom_kill',
      at,
      what:
        `cgroup OOM-killed ${oomKills} process(es), first seen at ${new Date(at).toISOString()} ` +
        `(memory.events oom_kill ${before.value.memoryOomKill ?? 0} -> ${last.value.memoryOomKill})${limitText}`,
      details: {
        oom_kills: oomKills,
        oom_kill_before: before.value.memoryOomKill ?? 0,
        oom_kill_after: last.value.memoryOomKill ?? null,
        memory_max_bytes: limit ?? null,
      },
    });
  }
  const high = delta('memoryHigh') ?? 0;
  const psi = Math.max(0, ...inside.map((s) => s.value.memorySomeAvg10 ?? 0));
  if (high > 0 || psi >= MEMORY_PSI_PERCENT)
    out.push({
      kind: 'memory_pressure',
      at:
        high > 0
          ? firstChange('memoryHigh')
          : (inside.find((s) => (s.value.memorySomeAvg10 ?? 0) === psi)?.at ?? last.at),
      what: `memory pressure (memory.high breached ${high} time(s), PSI some avg10 up to ${psi}%)${limitText}`,
      details: { memory_high_events: high, memory_psi_some_avg10_max: psi, memory_max_bytes: limit ?? null },
    });
  const throttled = delta('cpuThrottledUsec');
  const elapsedMs = last.at - before.at;
  if (throttled !== undefined && elapsedMs > 0) {
    const share = throttled / 1000 / elapsedMs;
    if (share >= THROTTLE_SHARE)
      out.push({
        kind: 'cpu_throttling',
        at: firstChange('cpuThrottledUsec'),
        what: `CPU throttled ${Math.round(share * 100)}% of the time (${delta('cpuNrThrottled') ?? 0} throttled periods)`,
        details: {
          throttled_share: Math.round(share * 1000) / 1000,
          throttled_usec: throttled,
          nr_throttled: delta('cpuNrThrottled') ?? null,
        },
      });
  }
  return out;
}
