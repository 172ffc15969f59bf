import { isRoutedPath, type RegionCode } from '@flyprobe/shared';
import type { StoredResult } from '../store/store.ts';
import type { LossConfig } from './config.ts';
import type { DetectionContext, Detector, Finding } from './types.ts';
import { liveEntries, median, Ring, round1 } from './window.ts';

/** Outcomes a lost packet produces. */
const LOSS_OUTCOMES = new Set(['timeout', 'unreachable']);

interface Mark {
  id: number;
  at: number;
  /** When the measurement ended (start + latency). */
  end: number;
  probeId: string;
  /** Why the sample is bad (an outcome, or `stall`), null when fine. */
  bad: string | null;
  series: string;
}

/** A series' recent ok latencies; the median is recomputed every few samples, which keeps observe O(1). */
interface Series {
  ring: Ring<number>;
  median: number | undefined;
  sinceMedian: number;
}

const MEDIAN_EVERY = 8;
/** Slow measurements remembered to tell a path's stall from a host's (bounded; old ones fall out). */
const SLOW_EVENTS = 1024;

/** A measurement well above its series' median, on any path (same-region ones included). */
interface SlowEvent {
  probeId: string;
  probeRegion: RegionCode;
  toRegion: RegionCode;
  at: number;
  end: number;
}

interface LossCell {
  probeRegion: RegionCode;
  target: string;
  toRegion: RegionCode;
  marks: Ring<Mark>;
  lastAt: number;
}

/**
 * Packet loss between a probe region and a target-side region. A fresh connection per measurement turns a
 * lost packet into a failure or a retransmission stall (a SYN retry costs a second, a data retransmission
 * the RTO), so the rule counts failed and stalled samples per region pair across paths and protocols.
 */
export class LossDetector implements Detector {
  readonly rule = 'loss' as const;
  private readonly cells = new Map<string, LossCell>();
  /** Recent ok latencies per (probe region, target, path, protocol, target-side region). */
  private readonly series = new Map<string, Series>();
  private readonly lastServed = new Map<string, RegionCode>();
  private readonly slow = new Ring<SlowEvent>(SLOW_EVENTS);
  /** Latest start time reported per probe: a stall is judged only once everything concurrent has arrived. */
  private readonly probeLatest = new Map<string, number>();

  constructor(
    private readonly config: LossConfig,
    private readonly ctx: DetectionContext,
  ) {}

  observe(r: StoredResult): void {
    if (r.stream || !this.ctx.trustworthy(r)) return;
    let toRegion = r.targetRegion;
    if (isRoutedPath(r.path)) {
      const k = `${r.probeRegion}|${r.target}|${r.path}|${r.protocol}`;
      const served = r.servedRegion ?? r.echo?.region;
      if (served) this.lastServed.set(k, served);
      toRegion = served ?? this.lastServed.get(k);
    }
    this.probeLatest.set(r.probeId, Math.max(this.probeLatest.get(r.probeId) ?? 0, r.startedAt));
    if (!toRegion) return;
    const seriesKey = `${r.path}/${r.protocol}`;
    const sk = `${r.probeRegion}|${r.target}|${seriesKey}|${toRegion}`;
    let lat = this.series.get(sk);
    if (!lat) {
      lat = { ring: new Ring(this.config.baselineSamples), median: undefined, sinceMedian: 0 };
      this.series.set(sk, lat);
    }
    let bad: string | null = null;
    // Resets and refusals are the resets rule's; other failures (HTTP status, DNS...) are not loss.
    if (LOSS_OUTCOMES.has(r.outcome)) bad = r.outcome;
    else if (r.outcome !== 'ok') return;
    else if (r.latencyMs !== undefined) {
      const base = lat.median;
      const excess = base === undefined ? 0 : r.latencyMs - base;
      const bar = base === undefined ? 0 : Math.max(this.config.stallMinMs, this.config.stallFactor * base);
      // Half the stall bar is enough to show that the host (or the far end) was slow at that moment.
      if (base !== undefined && excess > bar / 2)
        this.slow.push({
          probeId: r.probeId,
          probeRegion: r.probeRegion,
          toRegion,
          at: r.startedAt,
          end: r.startedAt + r.latencyMs,
        });
      if (base !== undefined && excess > bar) bad = 'stall';
      else {
        lat.ring.push(r.latencyMs);
        if (
          ++lat.sinceMedian >= MEDIAN_EVERY ||
          (lat.median === undefined && lat.ring.size >= this.config.minBaselineSamples)
        ) {
          lat.sinceMedian = 0;
          if (lat.ring.size >= this.config.minBaselineSamples) lat.median = median(lat.ring.toArray());
        }
      }
    }
    // Same-region measurements cross no WAN link: they only serve as evidence of host-wide stalls.
    if (toRegion === r.probeRegion) return;
    const ck = `${r.probeRegion}|${r.target}|${toRegion}`;
    let cell = this.cells.get(ck);
    if (!cell) {
      cell = {
        probeRegion: r.probeRegion,
        target: r.target,
        toRegion,
        marks: new Ring(this.config.clearWindow),
        lastAt: 0,
      };
      this.cells.set(ck, cell);
    }
    cell.marks.push({
      id: r.id,
      at: r.startedAt,
      end: r.startedAt + (r.latencyMs ?? 0),
      probeId: r.probeId,
      bad,
      series: seriesKey,
    });
    cell.lastAt = Math.max(cell.lastAt, r.startedAt);
  }

  /**
   * Whether a bad mark is evidence of loss on this region pair. Failures count. A stall counts only when it
   * was specific to the pair: once the probe has reported a later round of measurements, no measurement of
   * the same probe to another region, and none of another probe region to the same region, was slow at the
   * same time (that would be a busy host or a slow far end, which loss on one link cannot explain).
   */
  private counts(m: Mark, cell: LossCell): boolean {
    if (m.bad !== 'stall') return m.bad !== null;
    if ((this.probeLatest.get(m.probeId) ?? 0) <= m.at) return false;
    for (const e of this.slow.toArray()) {
      if (e.end < m.at || e.at > m.end) continue;
      if (e.probeId === m.probeId && e.toRegion !== cell.toRegion) return false;
      if (e.probeRegion !== cell.probeRegion && e.toRegion === cell.toRegion) return false;
    }
    return true;
  }

  evaluate(now: number): Finding[] {
    const findings: Finding[] = [];
    for (const cell of liveEntries(this.cells, now, this.config.staleMs)) {
      const all = cell.marks.toArray();
      const recent = all.slice(-this.config.window);
      const recentBad = recent.filter((m) => this.counts(m, cell));
      const allBad = all.filter((m) => this.counts(m, cell));
      const level =
        recentBad.length >= this.config.fireCount
          ? 'fire'
          : allBad.length >= this.config.clearCount
            ? 'hold'
            : null;
      if (!level) continue;
      const kinds = new Map<string, number>();
      for (const m of allBad) kinds.set(`${m.series}:${m.bad}`, (kinds.get(`${m.series}:${m.bad}`) ?? 0) + 1);
      const kindText = [...kinds].map(([kind, n]) => `${n} ${kind}`).join(', ');
      const values: Finding['evidence']['values'] = {
        bad_recent: recentBad.length,
        samples_recent: recent.length,
        bad_rate: round1((allBad.length / all.length) * 100) / 100,
        bad_clear_window: allBad.length,
        samples_clear_window: all.length,
      };
      for (const [kind, n] of kinds) values[`count_${kind}`] = n;
      findings.push({
        rule: this.rule,
        labels: { probe_region: cell.probeRegion, target: cell.target, region: cell.toRegion },
        level,
        severity: this.config.severity,
        summary:
          `${cell.target}: packet loss between ${cell.probeRegion} and ${cell.toRegion}: ${recentBad.length} of the last ` +
          `${recent.length} measurements failed or stalled on a retransmission (${kindText})`,
        evidence: {
          values,
          window: { from: all[0]?.at ?? now, to: all.at(-1)?.at ?? now, samples: all.length },
          sampleIds: allBad.map((m) => m.id).slice(-20),
        },
      });
    }
    return findings;
  }
}
