import { touchesCell } from './alert-match.js';
import { get, url } from './api.js';
import { chartLegend, timeChart } from './chart.js';
import { columnRegion } from './column-region.js';
import { select, WINDOWS } from './controls.js';
import { clock, count, dateTime, esc, ms, ratio } from './format.js';
import { regionName } from './regions.js';

export const title = 'Cell history';

const QUANTILES = ['p50', 'p95', 'p99'];
const PANEL_INSET = 34;

function cellOf(params) {
  return {
    target: params.get('target') ?? '',
    path: params.get('path') ?? 'anycast',
    protocol: params.get('protocol') ?? 'http',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    window: params.get('window') ?? '1h',
  };
}

export function controls(params) {
  const c = cellOf(params);
  const back = new URLSearchParams({ target: c.target, path: c.path, protocol: c.protocol });
  return `<a class="back" href="#/matrix?${esc(back)}">← Matrix</a>${select('window', 'Window', WINDOWS, c.window)}`;
}

export async function load(params) {
  const c = cellOf(params);
  const base = {
    target: c.target,
    path: c.path,
    protocol: c.protocol,
    from: c.from,
    to: c.to,
    window: c.window,
  };
  const series = (metric) => get(url('/v1/series', { ...base, metric }));
  const [p50, p95, p99, loss, resets, alerts, raw] = await Promise.all([
    ...QUANTILES.map(series),
    series('loss'),
    series('reset_rate'),
    get('/v1/alerts?limit=1000'),
    get(
      url('/v1/results', {
        probeRegion: c.from,
        target: c.target,
        path: c.path,
        protocol: c.protocol,
        since: Date.now() - (windowMs(c.window) ?? 3_600_000),
        limit: 1000,
      }),
    ),
  ]);
  return {
    c,
    p50,
    p95,
    p99,
    loss,
    resets,
    alerts: alerts.alerts.filter((a) => touchesCell(a, c)),
    raw: raw.results,
  };
}

function windowMs(w) {
  const m = /^(\d+)([smhd])$/.exec(w);
  return m ? Number(m[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[m[2]] : undefined;
}

function outcomes(raw, c) {
  const counts = new Map();
  let n = 0;
  for (const r of raw) {
    if (columnRegion(r) !== c.to) continue;
    n++;
    if (r.outcome !== 'ok') counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  }
  return { n, counts: [...counts].sort((a, b) => b[1] - a[1]) };
}

export function render(root, d, _params, ctx) {
  const { c } = d;
  // The charts sit inside panels: their padding and border come off the content width.
  const width = Math.max(280, (root.clientWidth || 900) - PANEL_INSET);
  const from = d.p50.from;
  const to = d.p50.to;
  const markers = d.alerts.map((a) => ({
    from: a.startsAt,
    to: a.resolvedAt ?? ctx.now,
    cls: `sev-${a.severity} state-${a.state}`,
    label: `${a.rule} (${a.state}) ${a.summary}`,
    short: a.rule,
  }));
  const line = (s, cls, name) => ({ cls, name, points: s.points.map((p) => [p.t, p.value]) });
  const latency = timeChart({
    width,
    height: 240,
    from,
    to,
    unit: 'ms',
    label: 'latency quantiles',
    lines: [line(d.p99, 'p99', 'p99'), line(d.p95, 'p95', 'p95'), line(d.p50, 'p50', 'p50')],
    markers,
  });
  const resetsAt = new Map(d.resets.points.map((p) => [p.t, Math.round((p.value ?? 0) * p.samples)]));
  const failed = d.loss.points.map((p) => [p.t, Math.round((p.value ?? 0) * p.samples)]);
  const failures = timeChart({
    width,
    height: 170,
    from,
    to,
    unit: 'failed samples',
    label: 'failures',
    stepMs: d.loss.stepMs,
    bars: [
      { cls: 'resets', name: 'resets', points: failed.map(([t]) => [t, resetsAt.get(t) ?? 0]) },
      {
        cls: 'other',
        name: 'other failures',
        points: failed.map(([t, n]) => [t, Math.max(0, n - (resetsAt.get(t) ?? 0))]),
      },
    ],
    markers,
  });
  const samples = d.loss.points.reduce((n, p) => n + p.samples, 0);
  const failedTotal = failed.reduce((n, [, f]) => n + f, 0);
  const o = outcomes(d.raw, c);
  const alertRows = d.alerts
    .map(
      (
        a,
      ) => `<li class="sev-${esc(a.severity)}"><span class="pill state-${esc(a.state)}">${esc(a.state)}</span>
        <b>${esc(a.rule)}</b> ${esc(a.summary)} <span class="muted">${clock(a.startsAt)}–${a.resolvedAt ? clock(a.resolvedAt) : 'now'} UTC</span>
        <a href="#/alerts?focus=${esc(a.id)}">evidence</a></li>`,
    )
    .join('');
  root.innerHTML = `
    <div class="summary"><h2>${esc(c.from)} → ${esc(c.to)} <span class="muted">${esc(regionName(c.from))} to ${esc(regionName(c.to))}</span></h2>
      <span class="muted">${esc(c.target)} · ${esc(c.path)} · ${esc(c.protocol)} · last ${esc(c.window)} · step ${Math.round(d.p50.stepMs / 60000)} min · ${count(samples)} samples · ${count(failedTotal)} failed (${ratio(samples ? failedTotal / samples : null)})</span></div>
    <section class="panel"><h3>Latency</h3>${chartLegend(QUANTILES.map((q) => ({ cls: q, name: q })).concat(markers.length ? [{ cls: 'alert-span', name: 'alert active' }] : []))}
      <div class="chart-box" data-chart="latency">${latency}</div></section>
    <section class="panel"><h3>Failures</h3>${chartLegend([
      { cls: 'resets', name: 'resets' },
      { cls: 'other', name: 'other failures' },
    ])}
      <div class="chart-box" data-chart="failures">${failures}</div>
      <p class="muted">By outcome in the newest ${count(o.n)} raw results of this cell:
        ${o.counts.length ? o.counts.map(([k, n]) => `<span class="chip outcome">${esc(k)} <b>${n}</b></span>`).join(' ') : 'none failed'}</p></section>
    <section class="panel"><h3>Alerts touching this cell</h3>${alertRows ? `<ul class="alert-list">${alertRows}</ul>` : '<p class="muted">None in the alert history.</p>'}</section>
    <p class="muted">p50 now ${ms(d.p50.points.findLast((p) => p.value !== null)?.value ?? null)} ms · window ${dateTime(from)} – ${dateTime(to)}</p>`;
}
