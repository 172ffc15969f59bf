/** Fixed-bucket histogram state: per-bucket (non-cumulative) counts, +Inf last, plus sum and count. */
export class BucketCounts {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(v: number): void {
    let i = 0;
    // Linear scan: 8-16 bounds, most samples land in the first few.
    while (i < this.bounds.length && v > (this.bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += v;
    this.count++;
  }
}

/** Appends `<name>_bucket/_sum/_count` lines (cumulative buckets, `le` last) for one label set. */
export function histogramLines(
  out: string[],
  name: string,
  labels: string,
  bounds: readonly number[],
  h: BucketCounts,
): void {
  let cumulative = 0;
  for (let i = 0; i <= bounds.length; i++) {
    cumulative += h.counts[i] as number;
    const le = i < bounds.length ? String(bounds[i]) : '+Inf';
    out.push(`${name}_bucket{${labels},le="${le}"} ${cumulative}`);
  }
  out.push(`${name}_sum{${labels}} ${h.sum}`, `${name}_count{${labels}} ${h.count}`);
}

/** A label value escaped for the text exposition format. */
export function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function family(
  out: string[],
  name: string,
  type: 'counter' | 'gauge' | 'histogram',
  help: string,
): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
}
