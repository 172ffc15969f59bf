/**
 * Counters, gauges and histograms in the Prometheus text format 0.0.4, written for the probe's own
 * metrics so the probe process does not load prom-client (the collector keeps it). The output is line for
 * line what prom-client 15 writes for the same calls (label order included: a series' labels, then the
 * registry's default labels; a histogram bucket's `le` first), which exposition.test.ts checks against
 * prom-client and promtool.
 */

export type Labels = Readonly<Record<string, string>>;

/** One exposed line: `<name><suffix>{labels,defaults,series} value`. */
interface Line {
  suffix: string;
  /** Written before the default labels (a bucket's `le`, or a counter's or gauge's own labels). */
  labels: Record<string, string | number>;
  /** A histogram series' labels, written after the default labels. */
  series?: Labels;
  value: number;
}

/** A value as prom-client's getValueAsString writes it. */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'Nan';
  if (!Number.isFinite(v)) return v < 0 ? '-Inf' : '+Inf';
  return `${v}`;
}

const escapeText = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function labelPairs(labels: Readonly<Record<string, string | number>>, out: string[], skip?: Labels): void {
  for (const [k, v] of Object.entries(labels)) {
    if (skip && Object.hasOwn(skip, k)) continue;
    out.push(`${k}="${typeof v === 'string' ? escapeText(v).replace(/"/g, '\\"') : v}"`);
  }
}

export interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
}

/** A registered metric: its header and current lines (read at scrape time). */
export abstract class Metric {
  abstract readonly type: 'counter' | 'gauge' | 'histogram';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly collect?: () => void,
  ) {}

  protected abstract lines(): Line[];

  /** Runs the metric's collect hook, then its lines. */
  read(): Line[] {
    this.collect?.();
    return this.lines();
  }

  /** The current values with every label of each line (prom-client's `metric.get()` shape). */
  get(): { name: string; help: string; type: string; values: MetricValue[] } {
    const values = this.read().map((l) => ({ labels: { ...l.series, ...l.labels }, value: l.value }));
    return { name: this.name, help: this.help, type: this.type, values };
  }
}

/** Label values -> series key: the values in labelNames order (label values never hold \u0000). */
function seriesKey(labelNames: readonly string[], labels: Labels): string {
  let key = '';
  for (const n of labelNames) key += `${labels[n] ?? ''}\u0000`;
  return key;
}

/** A counter or gauge: one value per label set; a metric without labels always has its one series. */
abstract class Scalar<L extends string> extends Metric {
  readonly #series = new Map<string, { labels: Labels; value: number }>();

  constructor(
    name: string,
    help: string,
    readonly labelNames: readonly L[],
    collect?: () => void,
  ) {
    super(name, help, collect);
    this.reset();
  }

  /** Drops every series (a metric without labels goes back to 0). */
  reset(): void {
    this.#series.clear();
    if (this.labelNames.length === 0) this.#series.set('', { labels: {}, value: 0 });
  }

  protected add(labels: Partial<Record<L, string>>, by: number, replace: boolean): void {
    const l = labels as Labels;
    const key = seriesKey(this.labelNames, l);
    const s = this.#series.get(key);
    if (s) s.value = replace ? by : s.value + by;
    else this.#series.set(key, { labels: { ...l }, value: by });
  }

  protected lines(): Line[] {
    return [...this.#series.values()].map((s) => ({ suffix: '', labels: s.labels, value: s.value }));
  }
}

export class Counter<L extends string = never> extends Scalar<L> {
  readonly type = 'counter';

  inc(labels: Partial<Record<L, string>> = {}, by = 1): void {
    this.add(labels, by, false);
  }
}

export class Gauge<L extends string = never> extends Scalar<L> {
  readonly type = 'gauge';

  set(labels: Partial<Record<L, string>>, value: number): void {
    this.add(labels, value, true);
  }
}

export class Histogram<L extends string = never> extends Metric {
  readonly type = 'histogram';
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();

  constructor(
    name: string,
    help: string,
    readonly labelNames: readonly L[],
    buckets: readonly number[],
  ) {
    super(name, help);
    this.#bounds = [...buckets].sort((a, b) => a - b);
  }

  observe(labels: Partial<Record<L, string>>, value: number): void {
    const l = labels as Labels;
    const key = seriesKey(this.labelNames, l);
    let s = this.#series.get(key);
    if (!s) {
      s = { labels: { ...l }, counts: this.#bounds.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, s);
    }
    const i = this.#bounds.findIndex((b) => value <= b);
    if (i >= 0) s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += value;
    s.count += 1;
  }

  protected lines(): Line[] {
    const out: Line[] = [];
    for (const s of this.#series.values()) {
      let acc = 0;
      this.#bounds.forEach((le, i) => {
        acc += s.counts[i] ?? 0;
        out.push({ suffix: '_bucket', labels: { le }, series: s.labels, value: acc });
      });
      out.push({ suffix: '_bucket', labels: { le: '+Inf' }, series: s.labels, value: s.count });
      out.push({ suffix: '_sum', labels: {}, series: s.labels, value: s.sum });
      out.push({ suffix: '_count', labels: {}, series: s.labels, value: s.count });
    }
    return out;
  }
}

/** Metrics in registration order, written with the registry's default labels on every line. */
export class Registry {
  readonly contentType = 'text/plain; version=0.0.4; charset=utf-8';
  readonly #metrics = new Map<string, Metric>();

  constructor(private readonly defaultLabels: Labels = {}) {}

  register<M extends Metric>(metric: M): M {
    if (this.#metrics.has(metric.name)) throw new Error(`metric ${metric.name} is already registered`);
    this.#metrics.set(metric.name, metric);
    return metric;
  }

  getSingleMetric(name: string): Metric | undefined {
    return this.#metrics.get(name);
  }

  metrics(): string {
    const blocks: string[] = [];
    for (const m of this.#metrics.values()) {
      const name = escapeText(m.name);
      const rows = [`# HELP ${name} ${escapeText(m.help)}`, `# TYPE ${name} ${m.type}`];
      for (const line of m.read()) {
        const pairs: string[] = [];
        labelPairs({ ...line.labels, ...this.defaultLabels, ...line.labels }, pairs, line.series);
        if (line.series) labelPairs(line.series, pairs);
        const labels = pairs.length > 0 ? `{${pairs.join(',')}}` : '';
        rows.push(`${name}${line.suffix}${labels} ${formatValue(line.value)}`);
      }
      blocks.push(rows.join('\n'));
    }
    return `${blocks.join('\n\n')}\n`;
  }
}
