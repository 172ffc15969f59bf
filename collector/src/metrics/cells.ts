import { LastColumn, OUTCOMES, type Outcome, type Phases, TupleMap } from '@flyprobe/shared';
import type { StoredResult } from '../store/store.ts';
import { BucketCounts, family, histogramLines, labelValue } from './histogram.ts';

/**
 * Latency buckets (seconds) of `flyprobe_latency_seconds`: dense where region-to-region round trips
 * live (1-300 ms) so histogram_quantile interpolates within a few ms there.
 */
export const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5, 5,
] as const;
/** Coarser buckets for `flyprobe_phase_duration_seconds`: phases are for "which phase moved", not for SLOs. */
export const PHASE_BUCKETS = [0.0025, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] as const;
export const PHASES = [
  'dns',
  'connect',
  'tls',
  'ttfb',
  'transfer',
  'echo',
  'total',
] as const satisfies readonly (keyof Phases)[];
/** Each exported phase's position in PHASES; a phase without a histogram (`ping`) has none. */
const PHASE_INDEX: ReadonlyMap<string, number> = new Map(PHASES.map((p, i) => [p, i]));
/** Column label for an anycast or flycast failure before any success told which region serves that probe. */
export const UNKNOWN_REGION = 'unknown';

/**
 * Outcomes exported as 0 from a cell's first result on: the loss and reset rules divide by them, and a
 * counter that appears only with its first failure would hide that failure from rate().
 */
const ALWAYS_EXPORTED: ReadonlySet<Outcome> = new Set(['ok', 'reset', 'refused', 'timeout', 'unreachable']);
const OUTCOME_INDEX = new Map<Outcome, number>(OUTCOMES.map((o, i) => [o, i]));

interface Cell {
  /** Pre-rendered `target="..",path="..",...`: escaping happens once per cell, not per scrape. */
  labels: string;
  /** Its (target, path, protocol, probe region) and column: where eviction removes it from the index. */
  tuple: readonly [target: string, path: string, protocol: string, probeRegion: string];
  column: string;
  siblings: Map<string, Cell>;
  outcomes: Float64Array;
  latency: BucketCounts;
  phases: (BucketCounts | undefined)[];
  updatedAt: number;
}

export interface CellOptions {
  /** Cells (target, path, protocol, probe region, column region) tracked at most; results beyond are counted as dropped. */
  maxCells: number;
  /** Export the per-phase histograms (7 phases x 11 series per cell at most). */
  phases: boolean;
  /** A cell without results for this long is forgotten (its series end; rate() treats a comeback as a reset). */
  idleMs: number;
}

/**
 * Per matrix cell counters and histograms, kept as plain typed arrays: the ingest hot path does one Map
 * lookup and a few array increments per result; label strings are built at scrape time only once per cell.
 */
export class CellMetrics {
  /** Every cell, in creation order (the exposition's order). */
  private readonly cells = new Set<Cell>();
  /** The same cells by (target, path, protocol, probe region), then column: no key string built per result. */
  private readonly index = new TupleMap<Map<string, Cell>>();
  /**
   * The matrix column of each result, as the detectors see it; a routed failure counts against the last
   * served region, remembered for one key per (probe region, target, path, protocol), at most maxCells.
   */
  private readonly columns: LastColumn;
  droppedResults = 0;

  constructor(private readonly opts: CellOptions) {
    this.columns = new LastColumn(opts.maxCells);
  }

  get size(): number {
    return this.cells.size;
  }

  get limit(): number {
    return this.opts.maxCells;
  }

  observe(r: StoredResult, now: number): void {
    if (r.stream) return; // stream samples and ends are not measurements of one round trip
    const column = this.columns.column(r) ?? UNKNOWN_REGION;
    let siblings = this.index.get(r.target, r.path, r.protocol, r.probeRegion);
    let cell = siblings?.get(column);
    if (!cell) {
      if (this.cells.size >= this.opts.maxCells) {
        this.evictIdle(now);
        siblings = this.index.get(r.target, r.path, r.protocol, r.probeRegion);
      }
      if (this.cells.size >= this.opts.maxCells) {
        this.droppedResults++;
        return;
      }
      if (!siblings) {
        siblings = new Map();
        this.index.set(r.target, r.path, r.protocol, r.probeRegion, siblings);
      }
      cell = this.create(r, column, siblings, now);
      siblings.set(column, cell);
      this.cells.add(cell);
    }
    cell.updatedAt = now;
    const oi = OUTCOME_INDEX.get(r.outcome) ?? OUTCOMES.length - 1;
    cell.outcomes[oi] = (cell.outcomes[oi] as number) + 1;
    // Degraded samples count in results (loss) but not in latency, as in the matrix and the detectors.
    if (r.outcome !== 'ok' || r.degraded) return;
    if (r.latencyMs !== undefined) cell.latency.observe(r.latencyMs / 1000);
    if (!this.opts.phases) return;
    // The phases the result has (three or four, typically) rather than a lookup of every name: ~10% of observe.
    const phases = r.phases;
    for (const name in phases) {
      const i = PHASE_INDEX.get(name);
      const ms = phases[name as keyof Phases];
      if (i === undefined || ms === undefined) continue;
      let h = cell.phases[i];
      if (!h) {
        h = new BucketCounts(PHASE_BUCKETS);
        cell.phases[i] = h;
      }
      h.observe(ms / 1000);
    }
  }

  private create(r: StoredResult, column: string, siblings: Map<string, Cell>, now: number): Cell {
    const labels = [
      `target="${labelValue(r.target)}"`,
      `path="${r.path}"`,
      `protocol="${r.protocol}"`,
      `probe_region="${labelValue(r.probeRegion)}"`,
      `target_region="${labelValue(column)}"`,
    ].join(',');
    return {
      labels,
      tuple: [r.target, r.path, r.protocol, r.probeRegion],
      column,
      siblings,
      outcomes: new Float64Array(OUTCOMES.length),
      latency: new BucketCounts(LATENCY_BUCKETS),
      phases: [],
      updatedAt: now,
    };
  }

  private evictIdle(now: number): void {
    for (const cell of this.cells) {
      if (now - cell.updatedAt <= this.opts.idleMs) continue;
      this.cells.delete(cell);
      cell.siblings.delete(cell.column);
      if (cell.siblings.size === 0) this.index.delete(...cell.tuple);
    }
  }

  /** Text exposition of the cell families (forgets idle cells first). */
  render(now: number): string {
    this.evictIdle(now);
    const out: string[] = [];
    family(
      out,
      'flyprobe_results_total',
      'counter',
      'Stored results per matrix cell by outcome (ok or the error class).',
    );
    for (const cell of this.cells) {
      for (let i = 0; i < OUTCOMES.length; i++) {
        const n = cell.outcomes[i] as number;
        if (n > 0 || ALWAYS_EXPORTED.has(OUTCOMES[i] as Outcome))
          out.push(`flyprobe_results_total{${cell.labels},outcome="${OUTCOMES[i]}"} ${n}`);
      }
    }
    family(
      out,
      'flyprobe_latency_seconds',
      'histogram',
      'Application round trip (latencyMs) of ok results from healthy probes per matrix cell.',
    );
    for (const cell of this.cells) {
      histogramLines(out, 'flyprobe_latency_seconds', cell.labels, LATENCY_BUCKETS, cell.latency);
    }
    if (this.opts.phases) {
      family(
        out,
        'flyprobe_phase_duration_seconds',
        'histogram',
        'Phase durations (dns, connect, tls, ttfb, transfer, echo, total) of ok results per matrix cell.',
      );
      for (const cell of this.cells) {
        for (let i = 0; i < PHASES.length; i++) {
          const h = cell.phases[i];
          if (h)
            histogramLines(
              out,
              'flyprobe_phase_duration_seconds',
              `${cell.labels},phase="${PHASES[i]}"`,
              PHASE_BUCKETS,
              h,
            );
        }
      }
    }
    out.push('');
    return out.join('\n');
  }
}
