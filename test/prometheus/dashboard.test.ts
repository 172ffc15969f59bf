import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missing, promtool, until } from '../../collector/src/testing/prometheus-daemons.ts';
import { METRICS_TOKEN, type Stack, scrape, startStack } from './testing/stack.ts';

const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
const skip = missing('promtool');

interface Panel {
  id: number;
  title: string;
  type: string;
  targets?: { refId: string; expr: string }[];
  panels?: Panel[];
}
interface Dashboard {
  panels: Panel[];
  templating: { list: { name: string; type: string; definition?: string }[] };
}

const dashboard = JSON.parse(
  readFileSync(join(DEPLOY, 'grafana/flyprobe-dashboard.json'), 'utf8'),
) as Dashboard;

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** Every PromQL expression of the dashboard, with Grafana's variables replaced by plain values. */
function expressions(): { name: string; expr: string }[] {
  const concrete = (e: string) => e.replace(/\$__rate_interval/g, '1m').replace(/\$\{?\w+\}?/g, 'x');
  const panels = allPanels(dashboard.panels).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ name: `grafana:panel_${p.id}_${t.refId}`, expr: concrete(t.expr) })),
  );
  // Variables: the series selector inside label_values(<selector>, <label>).
  const variables = dashboard.templating.list.flatMap((v) => {
    const m = v.definition ? /^label_values\((.+), *\w+\)$/.exec(v.definition) : null;
    return m?.[1] ? [{ name: `grafana:variable_${v.name}`, expr: concrete(m[1]) }] : [];
  });
  return [...panels, ...variables];
}

const names = (text: string) => new Set(text.match(/\bflyprobe[a-z0-9_:]*[a-z0-9]/g) ?? []);

describe.skipIf(skip !== undefined)(`Grafana dashboard queries${skip ? ` (${skip})` : ''}`, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'flyprobe-dashboard-'));
  let stack: Stack;
  /** Metric names the live endpoints expose (histograms with their _bucket/_sum/_count series). */
  const exposed = new Set<string>();

  beforeAll(async () => {
    stack = await startStack({ intervalMs: 200 });
    const collector = await until('per-cell series', async () => {
      const text = await scrape(`${stack.collector.url}/metrics`, METRICS_TOKEN);
      return text.includes('flyprobe_latency_seconds_bucket{') ? text : undefined;
    });
    for (const text of [collector, await scrape(stack.probeMetricsUrl)]) {
      for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
        exposed.add(name as string);
        if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exposed.add(`${name}${s}`);
      }
    }
    const rules = readFileSync(join(DEPLOY, 'prometheus/flyprobe.rules.yml'), 'utf8');
    for (const [, record] of rules.matchAll(/record: (\S+)/g)) exposed.add(record as string);
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('has the matrix, per-cell latency, loss/resets by region and probe fleet sections', () => {
    const titles = allPanels(dashboard.panels).map((p) => p.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'p50 latency matrix',
        'p95 latency per cell',
        'Loss by probe region (worst cell)',
        'Resets by target region (worst cell)',
        'Probes',
      ]),
    );
    expect(allPanels(dashboard.panels).some((p) => p.type === 'heatmap')).toBe(true);
  });

  it('parses every panel and variable query with promtool check rules', () => {
    const exprs = expressions();
    expect(exprs.length).toBeGreaterThan(20);
    const file = join(tmp, 'dashboard.rules.json');
    // JSON is YAML: one recording rule per query, which promtool parses as PromQL.
    writeFileSync(
      file,
      JSON.stringify({
        groups: [{ name: 'grafana-dashboard', rules: exprs.map((e) => ({ record: e.name, expr: e.expr })) }],
      }),
    );
    const r = promtool(['check', 'rules', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`SUCCESS: ${exprs.length} rules found`);
  });

  it('refers only to metrics the probe and collector expose or the shipped rules record', () => {
    const alerts = readFileSync(join(DEPLOY, 'prometheus/flyprobe.alerts.yml'), 'utf8');
    const used = new Set([
      ...expressions().flatMap((e) => [...names(e.expr)]),
      ...names(alerts.replace(/^\s*#.*$/gm, '')),
    ]);
    expect([...used].filter((n) => !exposed.has(n)).sort()).toEqual([]);
  });
});
