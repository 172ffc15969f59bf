import { LastColumn, type RegionCode } from '@flyprobe/shared';
import type { StoredResult } from '../../store/store.ts';
import { staleFor } from '../core/config.ts';
import { entry } from '../core/keyed.ts';
import { joinKey } from '../core/keys.ts';
import { NUMBER, type RecordLayout, RecordRing } from '../core/record-ring.ts';
import { requestOwd } from '../core/result.ts';
import { FaultEnd } from '../core/sequential.ts';
import { Symbols } from '../core/symbols.ts';
import { liveEntries, median, round1 } from '../core/window.ts';
import type { DetectionContext, Detector, Finding } from '../types.ts';
import type { LossConfig } from './index.ts';

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
  path: string;
  protocol: string;
  /**
   * For a stall with an echo receive time: whether the delay was before the request reached the echo
   * (`forward`: this cell's probe -> target direction lost it) or after (`reverse`); unknown otherwise
   * (timeouts, stalls in the handshake, where a lost SYN and a lost SYN-ACK look alike).
   */
  direction?: 'forward' | 'reverse';
}

/** Where a mark's fields are in its record: evaluations read them in place. */
const F_ID = 0;
const F_AT = 1;
const F_END = 2;
const F_PROBE = 3;
const F_BAD = 4;
const F_PATH = 5;
const F_PROTOCOL = 6;
const F_DIRECTION = 7;

/** A mark as 8 numbers: id, at, end, probe id, bad, path, protocol (symbols), direction (0 forward, 1 reverse). */
function markLayout(symbols: Symbols): RecordLayout<Mark> {
  return {
    width: 8,
    write: (to, at, m) => {
      to[at + F_ID] = m.id;
      to[at + F_AT] = m.at;
      to[at + F_END] = m.end;
      to[at + F_PROBE] = symbols.id(m.probeId);
      to[at + F_BAD] = symbols.id(m.bad);
      to[at + F_PATH] = symbols.id(m.path);
      to[at + F_PROTOCOL] = symbols.id(m.protocol);
      to[at + F_DIRECTION] = m.direction === undefined ? Number.NaN : m.direction === 'forward' ? 0 : 1;
    },
    read: (from, at) => {
      const direction = from[at + F_DIRECTION];
      return {
        id: from[at + F_ID] as number,
        at: from[at + F_AT] as number,
        end: from[at + F_END] as number,
        probeId: symbols.name(from[at + F_PROBE]) as string,
        bad: symbols.name(from[at + F_BAD]) ?? null,
        path: symbols.name(from[at + F_PATH]) as string,
        protocol: symbols.name(from[at + F_PROTOCOL]) as string,
        ...(direction === 0
          ? { direction: 'forward' as const }
          : direction === 1
            ? { direction: 'reverse' as const }
            : {}),
      };
    },
  };
}

/** A series' recent ok latencies; the median is recomputed every few samples, which keeps observe O(1). */
interface Series {
  ring: RecordRing<number>;
  median: number | undefined;
  sinceMedian: number;
  /** Request one-way delay (echo receive time - send time, clock offset included) of ok samples. */
  owd: RecordRing<number>;
  owdMedian: number | undefined;
  /** TCP handshake times of ok samples: a lost SYN or SYN-ACK costs the 1 s initial RTO there, not in latencyMs. */
  connect: RecordRing<number>;
  connectMedian: number | undefined;
}

const MEDIAN_EVERY = 8;
/** Stalls with a known direction needed to name it, and the share that must agree. */
const MIN_DIRECTION_VOTES = 2;
const DIRECTION_SHARE = 0.8;
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

/** Where a slow event's fields are in its record: `countsBad` reads them in place. */
const S_PROBE = 0;
const S_PROBE_REGION = 1;
const S_TO_REGION = 2;
const S_AT = 3;
const S_END = 4;

/**
 * A slow event as 5 numbers (names as symbols). One object per slow result kept for the last `SLOW_EVENTS`
 * of them lived long enough to be promoted to V8's old space and die there.
 */
function slowLayout(symbols: Symbols): RecordLayout<SlowEvent> {
  return {
    width: 5,
    write: (to, at, e) => {
      to[at + S_PROBE] = symbols.id(e.probeId);
      to[at + S_PROBE_REGION] = symbols.id(e.probeRegion);
      to[at + S_TO_REGION] = symbols.id(e.toRegion);
      to[at + S_AT] = e.at;
      to[at + S_END] = e.end;
    },
    read: (from, at) => ({
      probeId: symbols.name(from[at + S_PROBE]) as string,
      probeRegion: symbols.name(from[at + S_PROBE_REGION]) as RegionCode,
      toRegion: symbols.name(from[at + S_TO_REGION]) as RegionCode,
      at: from[at + S_AT] as number,
      end: from[at + S_END] as number,
    }),
  };
}

interface LossCell {
  probeRegion: RegionCode;
  target: string;
  toRegion: RegionCode;
  /** The incident both directions of a region pair share: target and the two regions in sorted order. */
  pairKey: string;
  marks: RecordRing<Mark>;
  lastAt: number;
  end: FaultEnd;
}

/**
 * Packet loss between a probe region and a target-side region. A fresh connection per measurement turns a
 * lost packet into a failure or a retransmission stall (a SYN retry costs a second, a data retransmission
 * the RTO), so the rule counts failed and stalled samples per region pair across paths and protocols.
 */
export class LossDetector implements Detector<'loss'> {
  readonly rule = 'loss' as const;
  private readonly cells = new Map<string, LossCell>();
  /** Recent ok latencies per (probe region, target, path, protocol, target-side region). */
  private readonly series = new Map<string, Series>();
  /** The target-side region of each sample; a routed failure counts against the last served region. */
  private readonly columns = new LastColumn();
  /** Latest start time reported per probe: a stall is judged only once everything concurrent has arrived. */
  private readonly probeLatest = new Map<string, number>();
  private readonly symbols = new Symbols();
  private readonly marks = markLayout(this.symbols);
  private readonly scratch: Mark = { id: 0, at: 0, end: 0, probeId: '', bad: null, path: '', protocol: '' };
  private readonly slow = new RecordRing<SlowEvent>(SLOW_EVENTS, slowLayout(this.symbols));
  /** One slow event object, filled per slow result and copied into `slow`. */
  private readonly slowScratch: SlowEvent = { probeId: '', probeRegion: '', toRegion: '', at: 0, end: 0 };

  constructor(
    private readonly config: LossConfig,
    private readonly ctx: DetectionContext,
  ) {}

  observe(r: StoredResult): void {
    if (r.stream || !this.ctx.trustworthy(r)) return;
    const toRegion = this.columns.column(r);
    // Written only when it moves (one map lookup for most results instead of a lookup and a write).
    const latest = this.probeLatest.get(r.probeId);
    if (latest === undefined || r.startedAt > latest)
      this.probeLatest.set(r.probeId, Math.max(0, r.startedAt));
    if (!toRegion) return;
    const sk = joinKey(r.probeRegion, r.target, r.path, r.protocol, toRegion);
    const lat =
      this.series.get(sk) ??
      entry(this.series, sk, () => ({
        ring: new RecordRing(this.config.baselineSamples, NUMBER),
        median: undefined,
        sinceMedian: 0,
        owd: new RecordRing(this.config.baselineSamples, NUMBER),
        owdMedian: undefined,
        connect: new RecordRing(this.config.baselineSamples, NUMBER),
        connectMedian: undefined,
      }));
    let bad: string | null = null;
    let direction: Mark['direction'];
    const owd = requestOwd(r);
    // Resets and refusals are the resets rule's; other failures (HTTP status, DNS...) are not loss.
    if (LOSS_OUTCOMES.has(r.outcome)) bad = r.outcome;
    else if (r.outcome !== 'ok') return;
    else if (r.latencyMs !== undefined) {
      const base = lat.median;
      const connect = r.phases.connect;
      const connectBar =
        lat.connectMedian === undefined
          ? undefined
          : Math.max(this.config.stallMinMs, this.config.stallFactor * lat.connectMedian);
      const handshakeStall =
        connect !== undefined &&
        lat.connectMedian !== undefined &&
        connectBar !== undefined &&
        connect - lat.connectMedian > connectBar;
      const excess = base === undefined ? 0 : r.latencyMs - base;
      const bar = base === undefined ? 0 : Math.max(this.config.stallMinMs, this.config.stallFactor * base);
      if (handshakeStall) this.pushSlow(r, toRegion, r.startedAt + connect + r.latencyMs);
      // Half the stall bar is enough to show that the host (or the far end) was slow at that moment.
      if (base !== undefined && excess > bar / 2) this.pushSlow(r, toRegion, r.startedAt + r.latencyMs);
      if (handshakeStall) bad = 'stall';
      else if (base !== undefined && excess > bar) {
        bad = 'stall';
        // The echo's receive time tells which way the retransmitted packet went.
        if (owd !== undefined && lat.owdMedian !== undefined)
          direction =
            owd - lat.owdMedian > bar / 2 ? 'forward' : owd - lat.owdMedian < bar / 4 ? 'reverse' : undefined;
      } else {
        lat.ring.push(r.latencyMs);
        if (owd !== undefined) lat.owd.push(owd);
        if (connect !== undefined) lat.connect.push(connect);
        if (
          ++lat.sinceMedian >= MEDIAN_EVERY ||
          (lat.median === undefined && lat.ring.size >= this.config.minBaselineSamples)
        ) {
          lat.sinceMedian = 0;
          if (lat.ring.size >= this.config.minBaselineSamples) lat.median = median(lat.ring.unordered());
          if (lat.owd.size >= this.config.minBaselineSamples) lat.owdMedian = median(lat.owd.unordered());
          if (lat.connect.size >= this.config.minBaselineSamples)
            lat.connectMedian = median(lat.connect.unordered());
        }
      }
    }
    // Same-region measurements cross no WAN link: they only serve as evidence of host-wide stalls.
    if (toRegion === r.probeRegion) return;
    const ck = joinKey(r.probeRegion, r.target, toRegion);
    const cell =
      this.cells.get(ck) ??
      entry(this.cells, ck, () => ({
        probeRegion: r.probeRegion,
        target: r.target,
        toRegion,
        pairKey: `${r.target}|${[r.probeRegion, toRegion].sort().join('|')}`,
        marks: new RecordRing(this.config.clearWindow, this.marks),
        end: new FaultEnd(this.config.clearScore),
        lastAt: 0,
      }));
    // One mark object, filled per result and copied into the window (undefined direction stays absent when read).
    const mark = this.scratch;
    mark.id = r.id;
    mark.at = r.startedAt;
    mark.end = r.startedAt + (r.latencyMs ?? 0);
    mark.probeId = r.probeId;
    mark.bad = bad;
    mark.path = r.path;
    mark.protocol = r.protocol;
    mark.direction = direction;
    cell.marks.push(mark);
    cell.lastAt = Math.max(cell.lastAt, r.startedAt);
  }

  private pushSlow(r: StoredResult, toRegion: RegionCode, end: number): void {
    const e = this.slowScratch;
    e.probeId = r.probeId;
    e.probeRegion = r.probeRegion;
    e.toRegion = toRegion;
    e.at = r.startedAt;
    e.end = end;
    this.slow.push(e);
  }

  /**
   * Whether a bad mark is evidence of loss on this region pair. Failures count. A stall counts only when it
   * was specific to the pair: once the probe has reported a later round of measurements, no measurement of
   * the same probe to another region, and none of another probe region to the same region, was slow at the
   * same time (that would be a busy host or a slow far end, which loss on one link cannot explain).
   */
  private counts(m: Mark, cell: LossCell): boolean {
    return this.countsBad(m.bad, m.probeId, m.at, m.end, cell);
  }

  /** `counts` for a mark's fields (read in place by `quiet`, or from a built mark). */
  private countsBad(bad: string | null, probeId: string, at: number, end: number, cell: LossCell): boolean {
    if (bad !== 'stall') return bad !== null;
    if ((this.probeLatest.get(probeId) ?? 0) <= at) return false;
    // Names compared as their symbols (one id per name), read in place.
    const probe = this.symbols.id(probeId);
    const probeRegion = this.symbols.id(cell.probeRegion);
    const toRegion = this.symbols.id(cell.toRegion);
    const slow = this.slow;
    for (let i = 0; i < slow.size; i++) {
      if (slow.field(i, S_END) < at || slow.field(i, S_AT) > end) continue;
      const eTo = slow.field(i, S_TO_REGION);
      if (slow.field(i, S_PROBE) === probe && eTo !== toRegion) return false;
      if (slow.field(i, S_PROBE_REGION) !== probeRegion && eTo === toRegion) return false;
    }
    return true;
  }

  /**
   * True when judging the cell would change nothing and find nothing: no open alarm (so `FaultEnd.ended`
   * returns at once) and too few counted bad marks to fire or to hold. Counted in place, without building the
   * window's marks, which is what almost every cell is at almost every evaluation.
   */
  private quiet(cell: LossCell): boolean {
    if (cell.end.open) return false;
    const marks = cell.marks;
    // `judgePair`'s recent marks are the last `window` of them.
    const recentFrom = marks.size - this.config.window;
    let recent = 0;
    let all = 0;
    for (let i = 0; i < marks.size; i++) {
      const bad = this.symbols.name(marks.field(i, F_BAD));
      if (bad === undefined) continue;
      const at = marks.field(i, F_AT);
      if (!(at > cell.end.clearedAt)) continue;
      const probeId = this.symbols.name(marks.field(i, F_PROBE)) as string;
      if (!this.countsBad(bad, probeId, at, marks.field(i, F_END), cell)) continue;
      all++;
      if (i >= recentFrom) recent++;
    }
    return recent < this.config.fireCount && all < this.config.clearCount;
  }

  evaluate(now: number): Finding<'loss'>[] {
    // One incident per region pair and target: both cells (A measuring B, B measuring A) see a one-way loss.
    const pairs = new Map<string, LossCell[]>();
    for (const cell of liveEntries(this.cells, now, staleFor(this.config, this.ctx))) {
      const list = pairs.get(cell.pairKey);
      if (list) list.push(cell);
      else pairs.set(cell.pairKey, [cell]);
    }
    const findings: Finding<'loss'>[] = [];
    for (const cells of pairs.values()) {
      if (cells.every((cell) => this.quiet(cell))) continue;
      const f = this.judgePair(cells, now);
      if (f) findings.push(f);
    }
    return findings;
  }

  private judgePair(cells: LossCell[], now: number): Finding<'loss'> | undefined {
    const judged = cells.map((cell) => {
      const all = cell.marks.toArray();
      const recent = all.slice(-this.config.window);
      const counted = (m: Mark) => m.at > cell.end.clearedAt && this.counts(m, cell);
      const recentBad = recent.filter(counted);
      const allBad = all.filter(counted);
      const badIds = new Set(allBad.map((m) => m.id));
      const ended = cell.end.ended(
        all.map((m) => ({ at: m.at, bad: badIds.has(m.id) })),
        recentBad.length >= this.config.fireCount,
      );
      const level = ended
        ? null
        : recentBad.length >= this.config.fireCount
          ? 'fire'
          : allBad.length >= this.config.clearCount
            ? 'hold'
            : null;
      return { cell, all, recent, recentBad, allBad, level };
    });
    const active = judged.filter((j) => j.level);
    if (active.length === 0) return undefined;
    const level = active.some((j) => j.level === 'fire') ? 'fire' : 'hold';
    // With both cells the labels are the pair in alphabetical order (stable whichever fires first); with one,
    // its own probe region and column.
    const [first, second] = [...cells].sort((a, b) => a.probeRegion.localeCompare(b.probeRegion));
    const a = (first as LossCell).probeRegion;
    const b = second ? second.probeRegion : (first as LossCell).toRegion;
    const target = (first as LossCell).target;
    // Direction votes: a forward stall in cell P->R is loss P->R, a reverse one loss R->P.
    const votes = new Map<string, number>();
    for (const j of judged)
      for (const m of j.allBad) {
        if (!m.direction) continue;
        const dir =
          m.direction === 'forward'
            ? `${j.cell.probeRegion}->${j.cell.toRegion}`
            : `${j.cell.toRegion}->${j.cell.probeRegion}`;
        votes.set(dir, (votes.get(dir) ?? 0) + 1);
      }
    const voted = [...votes.values()].reduce((x, y) => x + y, 0);
    const [lead, leadVotes] = [...votes].sort((x, y) => y[1] - x[1])[0] ?? ['', 0];
    const known = voted >= MIN_DIRECTION_VOTES && leadVotes / voted >= DIRECTION_SHARE;
    const directionText = known
      ? `direction ${lead} (${leadVotes} of ${voted} stalls with an echo receive time were lost that way)`
      : voted === 0
        ? 'direction unknown: the lost packets were in handshakes or timeouts, which look alike either way'
        : `direction unknown: ${voted} stall(s) with an echo receive time, not enough agreeing on one direction`;
    const allBad = judged.flatMap((j) => j.allBad);
    const all = judged.flatMap((j) => j.all);
    const kinds = new Map<string, number>();
    for (const m of allBad) {
      const kind = `${m.path}/${m.protocol}:${m.bad}`;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    const kindText = [...kinds].map(([kind, n]) => `${n} ${kind}`).join(', ');
    const cellText = judged
      .map((j) => `${j.recentBad.length} of the last ${j.recent.length} measured by ${j.cell.probeRegion}`)
      .join(', ');
    const values: Finding['evidence']['values'] = {
      direction: known ? lead : 'unknown',
      direction_votes: voted,
      bad_rate: round1((allBad.length / all.length) * 100) / 100,
      bad_clear_window: allBad.length,
      samples_clear_window: all.length,
      cells: judged.length,
    };
    for (const j of judged) {
      values[`bad_recent_${j.cell.probeRegion}_to_${j.cell.toRegion}`] = j.recentBad.length;
      values[`samples_recent_${j.cell.probeRegion}_to_${j.cell.toRegion}`] = j.recent.length;
    }
    for (const [dir, n] of votes) values[`votes_${dir.replace('->', '_to_')}`] = n;
    for (const [kind, n] of kinds) values[`count_${kind}`] = n;
    const times = all.map((m) => m.at);
    return {
      rule: this.rule,
      labels: { probe_region: a, target, region: b },
      level,
      severity: this.config.severity,
      summary:
        `${target}: packet loss between ${a} and ${b}: ${cellText} failed or stalled on a retransmission` +
        `${kindText ? ` (${kindText})` : ''}; ${directionText}`,
      evidence: {
        values,
        window: { from: Math.min(...times, now), to: Math.max(...times), samples: all.length },
        sampleIds: allBad.map((m) => m.id).slice(-20),
      },
    };
  }
}
