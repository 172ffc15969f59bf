import { isRoutedPath, type RegionCode } from '@flyprobe/shared';
import type { StoredResult } from '../store/store.ts';
import type { ResetsConfig } from './config.ts';
import type { Detector, Finding } from './types.ts';
import { Ring, round1 } from './window.ts';

/** What this rule counts: resets, refusals, timeouts and abnormal ends of long-lived gRPC streams. */
const STREAM_TERMINATIONS = new Set(['status', 'rst_stream', 'goaway', 'reset', 'timeout', 'stall']);
const UNKNOWN = '?';

interface Sample {
  id: number;
  at: number;
  failure: string | null;
}

interface Cell {
  target: string;
  row: RegionCode;
  /** The target-side region: forced/private/peer region, or the served region for anycast and flycast. */
  col: RegionCode;
  samples: Ring<Sample>;
}

type Level = 'fire' | 'hold' | 'clean';

interface Judged {
  cell: Cell;
  level: Level;
  failures: Sample[];
  n: number;
}

/** The failure this rule counts in a result, null for a measurement that did not fail that way, undefined to skip. */
export function resetKind(r: StoredResult): string | null | undefined {
  if (r.stream) {
    if (r.stream.event === 'sample') return undefined;
    return r.stream.endReason && STREAM_TERMINATIONS.has(r.stream.endReason)
      ? `stream_${r.stream.endReason}`
      : null;
  }
  return r.outcome === 'reset' || r.outcome === 'refused' || r.outcome === 'timeout' ? r.outcome : null;
}

/**
 * Reset/refusal/timeout/stream-termination rates in a (probe region x target-side region) matrix per target.
 * A row that fails across most of its columns is a probe-side fault, a column failing from most rows a
 * target-side fault; both against clean regions elsewhere are local; every row failing is global.
 */
export class ResetsDetector implements Detector {
  readonly rule = 'resets' as const;
  private readonly cells = new Map<string, Cell>();
  /** Last served region per (probe region, target, routed path, protocol): where a failed attempt went. */
  private readonly lastServed = new Map<string, RegionCode>();

  constructor(private readonly config: ResetsConfig) {}

  observe(r: StoredResult): void {
    const failure = resetKind(r);
    if (failure === undefined) return;
    let col = r.targetRegion;
    if (isRoutedPath(r.path)) {
      const sk = `${r.probeRegion}|${r.target}|${r.path}|${r.protocol}`;
      const served = r.servedRegion ?? r.echo?.region;
      if (served) this.lastServed.set(sk, served);
      col = served ?? this.lastServed.get(sk);
    }
    const target = r.path === 'mesh' ? 'mesh' : r.target;
    const k = `${target}|${r.probeRegion}|${col ?? UNKNOWN}`;
    let cell = this.cells.get(k);
    if (!cell) {
      cell = { target, row: r.probeRegion, col: col ?? UNKNOWN, samples: new Ring(this.config.clearWindow) };
      this.cells.set(k, cell);
    }
    cell.samples.push({ id: r.id, at: r.startedAt, failure });
  }

  evaluate(now: number): Finding[] {
    const byTarget = new Map<string, Judged[]>();
    for (const [k, cell] of this.cells) {
      cell.samples.dropWhile((s) => now - s.at > this.config.windowMs);
      if (cell.samples.size === 0) {
        this.cells.delete(k);
        continue;
      }
      const judged = this.judge(cell);
      if (!judged) continue;
      byTarget.set(cell.target, [...(byTarget.get(cell.target) ?? []), judged]);
    }
    const findings: Finding[] = [];
    for (const [target, judged] of byTarget) findings.push(...this.localise(target, judged));
    return findings;
  }

  private judge(cell: Cell): Judged | undefined {
    const all = cell.samples.toArray();
    const samples = all.slice(-this.config.window);
    if (samples.length < this.config.minSamples) return undefined;
    const failures = samples.filter((s) => s.failure !== null);
    const rate = failures.length / samples.length;
    const longFailures = all.filter((s) => s.failure !== null).length;
    const level: Level =
      failures.length >= this.config.minFailures && rate >= this.config.fireRate
        ? 'fire'
        : longFailures > 0 && longFailures / all.length >= this.config.clearRate
          ? 'hold'
          : 'clean';
    return { cell, level, failures, n: samples.length };
  }

  private localise(target: string, judged: Judged[]): Finding[] {
    const rows = group(judged, (j) => j.cell.row);
    const cols = group(
      judged.filter((j) => j.cell.col !== UNKNOWN),
      (j) => j.cell.col,
    );
    const rowLevels = new Map([...rows].map(([r, js]) => [r, majority(js)]));
    const colLevels = new Map([...cols].map(([c, js]) => [c, majority(js)]));
    const findings: Finding[] = [];
    const allRows = [...rowLevels.values()];
    if (rows.size >= 2 && allRows.every((l) => l !== 'clean')) {
      const level = allRows.every((l) => l === 'fire') ? 'fire' : 'hold';
      return [this.finding(target, undefined, level, judged, 'every probe region')];
    }
    const regions = new Set([...rowLevels.keys(), ...colLevels.keys()]);
    for (const region of regions) {
      const row = rowLevels.get(region) ?? 'clean';
      const col = colLevels.get(region) ?? 'clean';
      const level =
        row === 'fire' || col === 'fire' ? 'fire' : row === 'hold' || col === 'hold' ? 'hold' : null;
      if (!level) continue;
      const side =
        row !== 'clean' && col !== 'clean'
          ? `probes in ${region} and the target in ${region}`
          : row !== 'clean'
            ? `probes in ${region} (towards every target region)`
            : `the target in ${region} (from every probe region)`;
      const involved = judged.filter(
        (j) => (row !== 'clean' && j.cell.row === region) || (col !== 'clean' && j.cell.col === region),
      );
      findings.push(this.finding(target, region, level, involved, side, judged));
    }
    return findings;
  }

  private finding(
    target: string,
    region: RegionCode | undefined,
    level: 'fire' | 'hold',
    involved: Judged[],
    side: string,
    all: Judged[] = involved,
  ): Finding {
    const failures = involved.flatMap((j) => j.failures);
    const n = involved.reduce((sum, j) => sum + j.n, 0);
    const kinds = new Map<string, number>();
    for (const f of failures) kinds.set(f.failure as string, (kinds.get(f.failure as string) ?? 0) + 1);
    const kindText = [...kinds].map(([k, c]) => `${c} ${k}`).join(', ');
    const clean = [...new Set(all.filter((j) => j.level === 'clean').map((j) => j.cell.row))].sort();
    const rate = n > 0 ? failures.length / n : 0;
    const where = region ? `in ${region}` : 'in every probe region';
    const baseline = region
      ? clean.length > 0
        ? `; clean baseline from ${clean.join(', ')}`
        : '; no clean region to compare with'
      : ': the target itself (or its network) is failing';
    const times = involved.flatMap((j) => j.cell.samples.toArray().map((s) => s.at));
    const values: Finding['evidence']['values'] = {
      failure_rate: round1(rate * 100) / 100,
      failures: failures.length,
      samples: n,
      affected: side,
      clean_probe_regions: clean.join(','),
    };
    for (const [k, c] of kinds) values[`count_${k}`] = c;
    return {
      rule: this.rule,
      labels: region ? { target, region } : { target },
      level,
      severity: this.config.severity,
      scope: region ? 'local' : 'global',
      summary:
        `${target}: connection failures ${where}: ${Math.round(rate * 100)}% of ${n} recent measurements ` +
        `(${kindText}) affecting ${side}${baseline}`,
      evidence: {
        values,
        window: { from: Math.min(...times), to: Math.max(...times), samples: n },
        sampleIds: failures.map((f) => f.id).slice(-20),
      },
    };
  }
}

function group<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** A row or column is at a level when more than half of its cells are (one cell decides alone). */
function majority(js: Judged[]): Level {
  const fire = js.filter((j) => j.level === 'fire').length;
  const hold = js.filter((j) => j.level !== 'clean').length;
  if (fire * 2 > js.length) return 'fire';
  if (hold * 2 > js.length) return 'hold';
  return 'clean';
}
