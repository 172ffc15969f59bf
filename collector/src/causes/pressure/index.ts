import type { EchoPressure, Heartbeat, ProbeIdentity } from '@flyprobe/shared';
import type { StoredResult } from '../../store/store.ts';
import { defineCauseSource } from '../source-module.ts';
import type { CauseItem, CauseQuery, CauseSource } from '../types.ts';
import { pressureFindings, type Sample } from './judge.ts';

interface MachineSamples {
  target: string;
  region: string;
  samples: Sample<EchoPressure>[];
}

interface ProbeBeat {
  degraded: boolean;
  reason: string | null;
  throttledUsec: number | null;
}

interface ProbeSamples {
  region: string;
  samples: Sample<ProbeBeat>[];
}

const MAX_SAMPLES = 240;
const MAX_KEYS = 2000;
/** Unchanged counters are sampled at most this often (any change is kept). */
const MIN_GAP_MS = 5000;

function push<T>(list: Sample<T>[], s: Sample<T>, changed: boolean): void {
  const last = list.at(-1);
  if (last && s.at < last.at) return;
  if (last && !changed && s.at - last.at < MIN_GAP_MS) return;
  list.push(s);
  if (list.length > MAX_SAMPLES) list.shift();
}

function bounded<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let v = map.get(key);
  if (!v) {
    if (map.size >= MAX_KEYS) map.delete(map.keys().next().value as K);
    v = create();
    map.set(key, v);
  }
  return v;
}

/**
 * Resource pressure on both sides of a measurement: the served Machine's cgroup counters that echo answers
 * carry (CPU throttling, memory.events high/oom/oom_kill, memory PSI), and the measuring probe's own
 * heartbeat (degraded, CPU throttling). Items say which side they are about.
 */
/** Field-wise equality of two echo pressure readings (flat objects of numbers), cheap on the ingest path. */
function samePressure(a: EchoPressure, b: EchoPressure): boolean {
  const keys = Object.keys(a) as (keyof EchoPressure)[];
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

export class PressureSource implements CauseSource {
  readonly name = 'pressure';
  readonly rules = ['latency', 'resets', 'restart', 'loss'] as const;
  private readonly machines = new Map<string, MachineSamples>();
  private readonly probes = new Map<string, ProbeSamples>();

  observe(
    results: StoredResult[],
    batch: { probe: ProbeIdentity; receivedAt: number; heartbeat?: Heartbeat },
  ) {
    for (const r of results) {
      const echo = r.echo;
      if (!echo?.pressure || r.path === 'mesh') continue;
      const m = bounded(this.machines, `${r.target}|${echo.machineId}`, () => ({
        target: r.target,
        region: echo.region,
        samples: [],
      }));
      m.region = echo.region;
      const last = m.samples.at(-1)?.value;
      const changed = !last || !samePressure(last, echo.pressure);
      push(m.samples, { at: echo.receivedAt, value: echo.pressure }, changed);
    }
    const hb = batch.heartbeat;
    if (!hb) return;
    const p = bounded(this.probes, batch.probe.probeId, () => ({ region: batch.probe.region, samples: [] }));
    const beat: ProbeBeat = {
      degraded: hb.degraded,
      reason: hb.degradedReason ?? null,
      throttledUsec: hb.cpuThrottle?.throttledUsec ?? null,
    };
    push(p.samples, { at: batch.receivedAt, value: beat }, hb.degraded);
  }

  contextFor(q: CauseQuery): CauseItem[] {
    const items: CauseItem[] = [];
    for (const [key, m] of this.machines) {
      const machine = key.slice(m.target.length + 1);
      if (q.target && q.target !== m.target) continue;
      if (q.machine ? q.machine !== machine : q.region !== m.region) continue;
      for (const f of pressureFindings(m.samples, q)) {
        items.push({
          source: this.name,
          side: 'target',
          kind: f.kind,
          at: f.at,
          region: m.region,
          machine,
          summary: `served Machine ${machine} in ${m.region}: ${f.what}`,
          details: f.details,
        });
      }
    }
    if (q.probeRegion)
      for (const [probeId, p] of this.probes) {
        if (p.region !== q.probeRegion) continue;
        const inWindow = p.samples.filter((s) => s.at >= q.from && s.at <= q.to);
        const degraded = inWindow.find((s) => s.value.degraded);
        if (degraded)
          items.push({
            source: this.name,
            side: 'probe',
            kind: 'probe_degraded',
            at: degraded.at,
            region: p.region,
            summary: `measuring probe ${probeId} in ${p.region} was itself degraded (${degraded.value.reason ?? 'no reason given'}); its latency samples are excluded`,
            details: { probe_id: probeId, reason: degraded.value.reason },
          });
      }
    return items;
  }
}

/** Pressure from echo answers and probe heartbeats: no network, on unless FLYPROBE_CAUSES_PRESSURE=off. */
export const pressure = defineCauseSource({
  key: 'pressure',
  settingsFromEnv(env): boolean {
    const flag = env.FLYPROBE_CAUSES_PRESSURE?.trim().toLowerCase();
    if (flag && !['on', 'off', 'true', 'false', '1', '0'].includes(flag))
      throw new Error(`FLYPROBE_CAUSES_PRESSURE: must be on or off, got "${flag}"`);
    return !flag || ['on', 'true', '1'].includes(flag);
  },
  create: (on) => (on ? new PressureSource() : undefined),
});
