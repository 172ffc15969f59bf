import { LastColumn, type RegionCode } from '@flyprobe/shared';
import type { StoredResult } from '../../store/store.ts';
import { staleFor } from '../core/config.ts';
import { countInto, entry } from '../core/keyed.ts';
import { joinKey } from '../core/keys.ts';
import { type RecordLayout, RecordRing } from '../core/record-ring.ts';
import { SequentialRate } from '../core/sequential.ts';
import { Symbols } from '../core/symbols.ts';
import { liveEntries, round1 } from '../core/window.ts';
import type { DetectionContext, Detector, Finding } from '../types.ts';
import type { ResetsConfig } from './index.ts';

/** Stream ends that count as terminations (the others are counted in the evidence only). */
const STREAM_TERMINATIONS = new Set(['status', 'rst_stream', 'goaway', 'reset']);
const UNKNOWN = '?';

export type ResetScope = 'pair' | 'probe_region' | 'target_region' | 'global';
type Kind = 'connection' | 'stream';

interface Trial {
  id: number;
  at: number;
  protocol: string;
  /** What failed (`reset`, `refused`, `stream_goaway`...), null for a trial that did not. */
  failure: string | null;
  /** Stream ends by cause, clean ones included (evidence only). */
  streamEnd?: string;
}

/** Where a trial's fields are in its record: evaluations read `at` and `failure` in place. */
const F_ID = 0;
const F_AT = 1;
const F_PROTOCOL = 2;
const F_FAILURE = 3;
const F_STREAM_END = 4;

/** A trial as 5 numbers: id, at, protocol, failure, stream end (symbols; a trial that did not fail: NaN). */
function trialLayout(symbols: Symbols): RecordLayout<Trial> {
  return {
    width: 5,
    write: (to, at, t) => {
      to[at + F_ID] = t.id;
      to[at + F_AT] = t.at;
      to[at + F_PROTOCOL] = symbols.id(t.protocol);
      to[at + F_FAILURE] = symbols.id(t.failure);
      to[at + F_STREAM_END] = symbols.id(t.streamEnd);
    },
    read: (from, at) => {
      const streamEnd = symbols.name(from[at + F_STREAM_END]);
      return {
        id: from[at + F_ID] as number,
        at: from[at + F_AT] as number,
        protocol: symbols.name(from[at + F_PROTOCOL]) as string,
        failure: symbols.name(from[at + F_FAILURE]) ?? null,
        ...(streamEnd ? { streamEnd } : {}),
      };
    },
  };
}

/** One (target, path, kind) matrix. */
interface Group {
  target: string;
  path: string;
  kind: Kind;
}

/** One (probe region, column region) cell of a group; the test runs pooled and per protocol. */
interface Pair {
  group: Group;
  groupKey: string;
  row: RegionCode;
  /** The target-side region: forced/private/peer region, or the served region for anycast and flycast. */
  col: RegionCode;
  pooled: SequentialRate;
  byProtocol: Map<string, SequentialRate>;
  recent: RecordRing<Trial>;
  lastAt: number;
}

type Level = 'fire' | 'hold';

interface Lines {
  rows: Set<string>;
  cols: Set<string>;
}

/** What a result contributes: a trial of a (path, kind) cell, or nothing. */
export function resetTrial(
  r: StoredResult,
): { kind: Kind; failure: string | null; streamEnd?: string } | undefined {
  if (r.stream) {
    if (r.stream.event === 'sample') return { kind: 'stream', failure: null };
    const reason = r.stream.endReason ?? 'ok';
    if (STREAM_TERMINATIONS.has(reason))
      return { kind: 'stream', failure: `stream_${reason}`, streamEnd: reason };
    // Clean ends, deadlines and stalls are counted by cause in the evidence; only terminations fail a trial.
    return { kind: 'stream', failure: null, streamEnd: reason };
  }
  // Timeouts are what loss looks like (the loss rule's); resets and refusals are this rule's.
  return { kind: 'connection', failure: r.outcome === 'reset' || r.outcome === 'refused' ? r.outcome : null };
}

/**
 * Resets, refusals and gRPC stream terminations per cell (probe region x column region x path x protocol),
 * each tested sequentially against its own baseline (see SequentialRate), pooled over the protocols of a
 * region pair and per protocol. Firing cells are rolled up per (target, path): a probe region whose cells
 * mostly fail is a row, a target region failing from most probe regions a column, every row failing global;
 * a cell whose row and column are otherwise clean is reported as the pair alone.
 */
export class ResetsDetector implements Detector<'resets'> {
  readonly rule = 'resets' as const;
  private readonly pairs = new Map<string, Pair>();
  /** The column of each trial; a routed failure counts against the last served region. */
  private readonly columns = new LastColumn();
  private readonly symbols = new Symbols();
  private readonly trials = trialLayout(this.symbols);
  private readonly scratch: Trial = { id: 0, at: 0, protocol: '', failure: null };

  private readonly stale: (key: { target?: string }) => number;
  /** The evaluation being run (rows and columns are judged as of then). */
  private now = 0;
  private readonly touchedNow = new Map<Pair, boolean>();
  /** Rows and columns hit at the previous evaluation, per group. */
  private previous = new Map<string, Lines>();

  constructor(
    private readonly config: ResetsConfig,
    private readonly ctx: DetectionContext,
  ) {
    this.stale = staleFor(config, ctx);
  }

  private rate(): SequentialRate {
    return new SequentialRate(this.config);
  }

  observe(r: StoredResult): void {
    const trial = resetTrial(r);
    if (!trial) return;
    const col = this.columns.column(r);
    const target = r.path === 'mesh' ? 'mesh' : r.target;
    const k = joinKey(target, r.path, trial.kind, r.probeRegion, col ?? UNKNOWN);
    const pair =
      this.pairs.get(k) ??
      entry(this.pairs, k, () => ({
        group: { target, path: r.path, kind: trial.kind },
        groupKey: joinKey(target, r.path, trial.kind),
        row: r.probeRegion,
        col: col ?? UNKNOWN,
        pooled: this.rate(),
        byProtocol: new Map(),
        recent: new RecordRing(this.config.window, this.trials),
        lastAt: 0,
      }));
    const proto = pair.byProtocol.get(r.protocol) ?? entry(pair.byProtocol, r.protocol, () => this.rate());
    const failed = trial.failure !== null;
    const wasAlarmed = pair.pooled.alarmed;
    pair.pooled.observe(failed);
    proto.observe(failed);
    // The pooled test sees every protocol's trials: when it says the pair is clean again, so is each protocol
    // (alone, one protocol's trials would need several times as many intervals to say so).
    if (wasAlarmed && !pair.pooled.alarmed) for (const p of pair.byProtocol.values()) p.clear();
    // One trial object, filled per result and copied into the window.
    const t = this.scratch;
    t.id = r.id;
    t.at = r.startedAt;
    t.protocol = r.protocol;
    t.failure = trial.failure;
    t.streamEnd = trial.streamEnd;
    pair.recent.push(t);
    pair.lastAt = Math.max(pair.lastAt, r.startedAt);
  }

  /** A loop over the pair's tests, not an array of them: it runs for every cell of every evaluation. */
  private level(p: Pair): Level | undefined {
    let alarmed = false;
    if (p.pooled.alarmed) {
      if (p.pooled.score >= this.config.fireScore) return 'fire';
      alarmed = true;
    }
    for (const u of p.byProtocol.values()) {
      if (!u.alarmed) continue;
      if (u.score >= this.config.fireScore) return 'fire';
      alarmed = true;
    }
    return alarmed ? 'hold' : undefined;
  }

  /**
   * A cell with an open alarm or a failure among its trials of the last `touchedIntervals` (read in place).
   * Fixed during an evaluation, which asks it of a cell once for its row and column and again for every
   * finding of its group: remembered until the evaluation ends.
   */
  private touched(p: Pair): boolean {
    let known = this.touchedNow.get(p);
    if (known === undefined) {
      known = this.judgeTouched(p);
      this.touchedNow.set(p, known);
    }
    return known;
  }

  private judgeTouched(p: Pair): boolean {
    if (this.level(p) !== undefined) return true;
    const since = this.now - this.config.touchedIntervals * this.ctx.intervalMs(p.group.target);
    const trials = p.recent;
    for (let i = 0; i < trials.size; i++)
      if (!Number.isNaN(trials.field(i, F_FAILURE)) && trials.field(i, F_AT) >= since) return true;
    return false;
  }

  evaluate(now: number): Finding<'resets'>[] {
    this.now = now;
    this.touchedNow.clear();
    const byGroup = new Map<string, Pair[]>();
    for (const p of liveEntries(this.pairs, now, (p) => this.stale(p.group))) {
      const list = byGroup.get(p.groupKey);
      if (list) list.push(p);
      else byGroup.set(p.groupKey, [p]);
    }
    // Rows and columns with enough cells to judge, per group; a one-cell row borrows its verdict from the
    // same row on the target's other paths (an anycast row has a single served column).
    const verdicts = new Map<string, Lines>();
    for (const [gk, pairs] of byGroup) verdicts.set(gk, this.lines(pairs, this.previous.get(gk)));
    this.previous = verdicts;
    const findings: Finding<'resets'>[] = [];
    for (const [gk, pairs] of byGroup) {
      if (!pairs.some((p) => this.level(p))) continue;
      const own = verdicts.get(gk) as Lines;
      const group = (pairs[0] as Pair).group;
      const siblings = [...verdicts].filter(
        ([k]) => k !== gk && k.startsWith(`${group.target}|`) && k.endsWith(`|${group.kind}`),
      );
      const rowHit = (row: string, cells: number) =>
        own.rows.has(row) || (cells < 2 && siblings.some(([, v]) => v.rows.has(row)));
      const colHit = (col: string, cells: number) =>
        own.cols.has(col) || (cells < 2 && siblings.some(([, v]) => v.cols.has(col)));
      findings.push(...this.rollUp(group, pairs, rowHit, colHit));
    }
    this.touchedNow.clear();
    return findings;
  }

  /**
   * Rows and columns of a group where more than half of at least two cells are touched and one is alarmed;
   * a row or column found so before stays so while one of its cells is alarmed (an intermittent fault leaves
   * some of its cells clean for a while, which must not split its alert into pairs).
   */
  private lines(pairs: Pair[], before: Lines | undefined): Lines {
    const judge = (key: (p: Pair) => string, was: Set<string> | undefined) => {
      const out = new Set<string>();
      for (const [k, cells] of groupBy(pairs, key)) {
        if (k === UNKNOWN || cells.length < 2 || !cells.some((c) => this.level(c))) continue;
        const touched = cells.filter((c) => this.touched(c)).length;
        if (touched * 2 > cells.length || was?.has(k)) out.add(k);
      }
      return out;
    };
    return { rows: judge((p) => p.row, before?.rows), cols: judge((p) => p.col, before?.cols) };
  }

  private rollUp(
    group: Group,
    pairs: Pair[],
    rowHit: (row: string, cells: number) => boolean,
    colHit: (col: string, cells: number) => boolean,
  ): Finding<'resets'>[] {
    const rows = groupBy(pairs, (p) => p.row);
    const cols = groupBy(
      pairs.filter((p) => p.col !== UNKNOWN),
      (p) => p.col,
    );
    const hitRows = [...rows].filter(([r, cells]) => rowHit(r, cells.length)).map(([r]) => r);
    const hitCols = [...cols].filter(([c, cells]) => colHit(c, cells.length)).map(([c]) => c);
    const allRows = rows.size >= 2 && hitRows.length === rows.size;
    const allCols = cols.size >= 2 && hitCols.length === cols.size;
    if (allRows || allCols) return this.finding(group, 'global', pairs, pairs, undefined, undefined);
    const findings: Finding<'resets'>[] = [];
    const covered = new Set<Pair>();
    for (const row of hitRows) {
      const cells = rows.get(row) as Pair[];
      for (const c of cells) covered.add(c);
      if (cells.some((c) => this.level(c)))
        findings.push(...this.finding(group, 'probe_region', cells, pairs, row, undefined));
    }
    for (const col of hitCols) {
      const cells = cols.get(col) as Pair[];
      for (const c of cells) covered.add(c);
      if (cells.some((c) => this.level(c)))
        findings.push(...this.finding(group, 'target_region', cells, pairs, undefined, col));
    }
    for (const p of pairs) {
      if (covered.has(p) || !this.level(p) || p.col === UNKNOWN) continue;
      findings.push(...this.finding(group, 'pair', [p], pairs, p.row, p.col));
    }
    return findings;
  }

  /** The evidence counts of `involved`'s windows, read in place (a finding's cells can hold thousands of trials). */
  private tally(involved: readonly Pair[]): Tally {
    const t: Tally = {
      samples: 0,
      failureIds: [],
      kinds: new Map(),
      protocols: new Map(),
      ends: new Map(),
      from: Number.POSITIVE_INFINITY,
      to: Number.NEGATIVE_INFINITY,
    };
    for (const p of involved) {
      const trials = p.recent;
      for (let i = 0; i < trials.size; i++) {
        t.samples++;
        const at = trials.field(i, F_AT);
        if (at < t.from) t.from = at;
        if (at > t.to) t.to = at;
        const failure = this.symbols.name(trials.field(i, F_FAILURE));
        if (failure !== undefined) {
          t.failureIds.push(trials.field(i, F_ID));
          countInto(t.kinds, failure);
          countInto(t.protocols, this.symbols.name(trials.field(i, F_PROTOCOL)) as string);
        }
        const end = this.symbols.name(trials.field(i, F_STREAM_END));
        if (end) countInto(t.ends, end);
      }
    }
    return t;
  }

  private finding(
    group: Group,
    scope: ResetScope,
    involved: Pair[],
    all: Pair[],
    row: RegionCode | undefined,
    col: RegionCode | undefined,
  ): Finding<'resets'>[] {
    const levels = involved.map((p) => this.level(p));
    if (!levels.some((l) => l)) return [];
    const level: Level = levels.includes('fire') ? 'fire' : 'hold';
    const { samples, failureIds, kinds, protocols, ends, from, to } = this.tally(involved);
    const failures = failureIds.length;
    const rate = samples > 0 ? failures / samples : 0;
    const baseline = Math.max(...involved.map((p) => p.pooled.baseline()));
    const clean = (key: (p: Pair) => string, exclude: string | undefined) =>
      [
        ...new Set(
          all
            .filter((p) => !involved.includes(p) && !this.touched(p))
            .map(key)
            .filter((r) => r !== exclude && r !== UNKNOWN),
        ),
      ].sort();
    const cleanRows = clean((p) => p.row, row);
    const cleanCols = clean((p) => p.col, col);
    const what = group.kind === 'stream' ? 'gRPC streams' : 'connections';
    const where =
      scope === 'pair'
        ? `from probes in ${row} to the target in ${col}`
        : scope === 'probe_region'
          ? `from probes in ${row} to every target region they measure (${[...new Set(involved.map((p) => p.col))].sort().join(', ')})`
          : scope === 'target_region'
            ? `to the target in ${col} from every probe region measuring it (${[...new Set(involved.map((p) => p.row))].sort().join(', ')})`
            : 'from every probe region to every target region';
    const scopeText =
      scope === 'pair'
        ? 'only this region pair is affected'
        : scope === 'probe_region'
          ? `a fault at the probe side in ${row}`
          : scope === 'target_region'
            ? `a fault at the target side in ${col}`
            : 'the target itself or its whole network';
    const comparison = [
      cleanRows.length > 0 ? `clean from ${cleanRows.join(', ')}` : '',
      cleanCols.length > 0 ? `clean to ${cleanCols.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    const breakdown = [
      [...kinds].map(([k, n]) => `${n} ${k}`).join(', '),
      [...protocols].map(([k, n]) => `${k} ${n}`).join(', '),
    ]
      .filter(Boolean)
      .join('; ');
    const values: Finding['evidence']['values'] = {
      scope,
      failure_rate: round1(rate * 1000) / 1000,
      failures,
      samples,
      baseline_rate: round1(baseline * 1000) / 1000,
      score: round1(Math.max(...involved.map((p) => p.pooled.score))),
      cells: involved.length,
      clean_probe_regions: cleanRows.join(','),
      clean_target_regions: cleanCols.join(','),
    };
    for (const [k, n] of kinds) values[`count_${k}`] = n;
    for (const [k, n] of protocols) values[`count_protocol_${k}`] = n;
    for (const [k, n] of ends) values[`stream_end_${k}`] = n;
    const labels: Record<string, string> = {
      target: group.target,
      path: group.path,
      kind: group.kind,
      scope,
    };
    if (row) labels.probe_region = row;
    if (col) labels.region = col;
    if (group.kind === 'stream') labels.protocol = 'grpc';
    return [
      {
        rule: this.rule,
        labels,
        level,
        severity: this.config.severity,
        scope: scope === 'global' ? 'global' : 'local',
        summary:
          `${group.target} (${group.path}): ${Math.round(rate * 100)}% of recent ${what} ${where} were reset or ` +
          `refused (${failures} of ${samples}${breakdown ? `: ${breakdown}` : ''}; baseline ` +
          `${round1(baseline * 100)}%): ${scopeText}${comparison ? ` (${comparison})` : ''}`,
        evidence: {
          values,
          window: { from, to, samples },
          sampleIds: failureIds.slice(-20),
        },
      },
    ];
  }
}

/** What the trials of some cells add up to, cell by cell, oldest first. */
interface Tally {
  samples: number;
  /** Ids of the failed trials, in that order. */
  failureIds: number[];
  /** Failed trials by failure and by protocol, and trials by stream end, in order of first appearance. */
  kinds: Map<string, number>;
  protocols: Map<string, number>;
  ends: Map<string, number>;
  /** Earliest and latest start (Infinity and -Infinity without trials). */
  from: number;
  to: number;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
