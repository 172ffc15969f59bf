import * as prom from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, Registry } from './exposition.ts';

const DEFAULTS = { probe: 'iad-1', probe_region: 'iad' };
const BUCKETS = [0.001, 0.01, 0.1, 1, 10];
const HOSTILE = 'a"b\\c\nd';

/** The same calls on this module's metrics and on prom-client's: both texts must be equal. */
async function both(): Promise<{ mine: string; theirs: string }> {
  const mine = new Registry(DEFAULTS);
  const theirs = new prom.Registry();
  theirs.setDefaultLabels(DEFAULTS);
  const registers = [theirs];

  const h = mine.register(
    new Histogram(
      'x_seconds',
      'Latency\\with "quotes"\nand lines',
      ['protocol', 'outcome'],
      [10, 0.001, 0.01, 0.1, 1],
    ),
  );
  const ph = new prom.Histogram({
    name: 'x_seconds',
    help: 'Latency\\with "quotes"\nand lines',
    labelNames: ['protocol', 'outcome'],
    buckets: BUCKETS,
    registers,
  });
  for (const [labels, v] of [
    [{ protocol: 'http', outcome: 'ok' }, 0.0005],
    [{ protocol: 'http', outcome: 'ok' }, 0.001],
    [{ protocol: 'http', outcome: 'ok' }, 0.7],
    [{ outcome: 'timeout', protocol: 'tcp' }, 30],
    [{ protocol: 'grpc', outcome: HOSTILE }, 0.02],
  ] as const) {
    h.observe(labels, v);
    ph.observe(labels, v);
  }

  const c = mine.register(new Counter('y_total', 'Things', ['reason']));
  const pc = new prom.Counter({ name: 'y_total', help: 'Things', labelNames: ['reason'], registers });
  c.inc({ reason: 'overflow' }, 3);
  pc.inc({ reason: 'overflow' }, 3);
  c.inc({ reason: 'overflow' });
  pc.inc({ reason: 'overflow' });
  c.inc({ reason: 'probe' }, 0.5);
  pc.inc({ reason: 'probe' }, 0.5);

  const plain = mine.register(new Counter('z_total', 'Unlabelled', []));
  const pplain = new prom.Counter({ name: 'z_total', help: 'Unlabelled', registers });
  plain.inc();
  pplain.inc();
  // Registered but never incremented: prom-client shows 0 for a counter without labels, none with labels.
  mine.register(new Counter('idle_total', 'Idle', []));
  new prom.Counter({ name: 'idle_total', help: 'Idle', registers });
  mine.register(new Counter('idle_labelled_total', 'Idle', ['reason']));
  new prom.Counter({ name: 'idle_labelled_total', help: 'Idle', labelNames: ['reason'], registers });

  const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-7, 2 ** 53, -3];
  const g: Gauge<'n' | 'probe'> = mine.register(
    new Gauge('w', 'Collected at scrape time', ['n', 'probe'], () => {
      g.reset();
      for (const [n, v] of values.entries()) g.set({ n: String(n) }, v);
      // A series label named like a default label wins over the default.
      g.set({ n: 'own', probe: 'other' }, 1);
    }),
  );
  new prom.Gauge({
    name: 'w',
    help: 'Collected at scrape time',
    labelNames: ['n', 'probe'],
    registers,
    collect() {
      this.reset();
      for (const [n, v] of values.entries()) this.set({ n: String(n) }, v);
      this.set({ n: 'own', probe: 'other' }, 1);
    },
  });
  return { mine: mine.metrics(), theirs: await theirs.metrics() };
}

describe('exposition', () => {
  it('writes what prom-client writes for the same calls, escaping and special values included', async () => {
    const { mine, theirs } = await both();
    expect(mine).toContain(
      'x_seconds_bucket{le="0.001",probe="iad-1",probe_region="iad",protocol="http",outcome="ok"} 2',
    );
    expect(mine).toContain(`outcome="${'a\\"b\\\\c\\nd'}"`);
    expect(mine).toBe(theirs);
  });

  it("reads values back in prom-client's get() shape", () => {
    const r = new Registry(DEFAULTS);
    const c = r.register(new Counter('a_total', 'A', ['result']));
    c.inc({ result: 'ok' });
    c.inc({ result: 'ok' }, 2);
    c.inc({ result: 'auth' });
    expect(r.getSingleMetric('a_total')?.get().values).toEqual([
      { labels: { result: 'ok' }, value: 3 },
      { labels: { result: 'auth' }, value: 1 },
    ]);
    expect(r.getSingleMetric('missing')).toBeUndefined();
    expect(() => r.register(new Counter('a_total', 'again', []))).toThrow(/already registered/);
  });
});
