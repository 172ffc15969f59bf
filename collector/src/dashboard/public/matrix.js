import { get, url } from './api.js';
import { METRICS, PATHS, PROTOCOLS, select, targetField, WINDOWS } from './controls.js';
import { count, esc, isLatency, metricValue, ms, ratio } from './format.js';
import { byGeography, regionName } from './regions.js';

export const title = 'Matrix';

const COLUMN_NAMES = {
  anycast: 'served region',
  flycast: 'served region',
  pinned: 'forced region',
  private: 'private region',
  mesh: 'peer region',
};
/** Colour steps: inflation over the fibre floor, absolute latency (same-region pairs), and failure ratios. */
const INFLATION_STEPS = [1.25, 1.5, 2, 3, 5];
const LATENCY_STEPS = [5, 15, 40, 100, 250];
const RATIO_STEPS = [0.0001, 0.005, 0.02, 0.05, 0.2];
/** Past this many cells the grid tightens so a 35 x 35 matrix fits a 1080p wall display. */
const DENSE_CELLS = 400;

function step(value, steps) {
  let i = 0;
  while (i < steps.length && value >= steps[i]) i++;
  return i;
}

function selection(params, ctx) {
  return {
    target: params.get('target') || ctx.targets[0] || '',
    path: params.get('path') || 'anycast',
    protocol: params.get('protocol') || 'http',
    metric: params.get('metric') || 'p50',
    window: params.get('window') || '15m',
  };
}

export function controls(params, ctx) {
  const s = selection(params, ctx);
  return [
    targetField(ctx.targets, s.target),
    select('path', 'Path', PATHS, s.path),
    select('protocol', 'Protocol', PROTOCOLS, s.protocol),
    select('metric', 'Metric', METRICS, s.metric),
    select('window', 'Window', WINDOWS, s.window),
  ].join('');
}

export async function load(params, ctx) {
  const s = selection(params, ctx);
  if (!s.target) return { s, matrix: null };
  return { s, matrix: await get(url('/v1/matrix', s)) };
}

/** Rows and columns: those with samples plus where probes and targets run, so a silent region shows empty. */
function axes(m, s, ctx) {
  const probeRegions = ctx.probes.map((p) => p.region);
  const target = (ctx.targetConfigs ?? []).find((t) => t.name === s.target);
  const columnsExpected = s.path === 'mesh' ? probeRegions : (target?.regions ?? []);
  const rows = byGeography([...m.rows, ...probeRegions]);
  const columns = byGeography([...m.columns.filter((c) => c !== ''), ...columnsExpected]);
  if (m.columns.includes('')) columns.push('');
  return { rows, columns };
}

function cellClass(cell, metric) {
  if (!cell || cell.samples === 0) return 'empty';
  if (cell.value === null) return 'failed';
  if (!isLatency(metric)) return `q${step(cell.value, RATIO_STEPS)}`;
  if (cell.inflation !== null) return `q${step(cell.inflation, INFLATION_STEPS)}`;
  return `q${step(cell.value, LATENCY_STEPS)} absolute`;
}

function cellTitle(cell, from, to, s) {
  const head = `${from} → ${to || 'no region'}`;
  if (!cell || cell.samples === 0) return `${head}: no samples in ${s.window}`;
  const parts = [
    `${head}`,
    `${s.metric} ${metricValue(s.metric, cell.value)}${isLatency(s.metric) ? ' ms' : ''}`,
  ];
  parts.push(`${cell.samples} samples`);
  if (cell.floorMs !== null) parts.push(`fibre floor ${ms(cell.floorMs)} ms`);
  if (cell.inflation !== null) parts.push(`×${cell.inflation.toFixed(2)} floor`);
  if (cell.value === null) parts.push('every sample failed');
  return parts.join(' · ');
}

const key = (cls, text) => `<span class="key-item"><span class="swatch ${cls}"></span>${text}</span>`;

function legend(metric) {
  const swatches = (steps, fmt) =>
    steps
      .map((_, i) =>
        key(`q${i}`, i === 0 ? `&lt; ${fmt(steps[0])}` : `${fmt(steps[i - 1])}–${fmt(steps[i])}`),
      )
      .concat(key(`q${steps.length}`, `≥ ${fmt(steps.at(-1))}`))
      .join(' ');
  const empty = `${key('empty', 'no samples')} ${key('failed', 'all failed')}`;
  if (!isLatency(metric)) return `<p class="legend">${swatches(RATIO_STEPS, ratio)} ${empty}</p>`;
  return `<p class="legend"><b>Inflation over the fibre floor</b> ${swatches(INFLATION_STEPS, (x) => `×${x}`)} ${empty}<br>
    <b>Same-region pairs</b> (dotted) by latency: ${swatches(LATENCY_STEPS, (x) => `${x} ms`)}</p>`;
}

export function render(root, { s, matrix: m }, _params, ctx) {
  if (!m) {
    root.innerHTML =
      '<p class="muted">No targets configured yet: put targets with <code>PUT /v1/targets</code> or <code>FLYPROBE_TARGETS_FILE</code>.</p>';
    return;
  }
  const { rows, columns } = axes(m, s, ctx);
  const byKey = new Map(m.cells.map((c) => [`${c.from} ${c.to}`, c]));
  const total = m.cells.reduce((n, c) => n + c.samples, 0);
  const link = (from, to) =>
    `#/cell?${new URLSearchParams({ target: s.target, path: s.path, protocol: s.protocol, window: s.window === '5m' || s.window === '15m' ? '1h' : s.window, from, to })}`;
  const head = columns
    .map(
      (c) =>
        `<th scope="col" data-col="${esc(c)}" title="${esc(c ? regionName(c) : 'samples that reached no region')}">${esc(c || 'none')}</th>`,
    )
    .join('');
  const body = rows
    .map((r) => {
      const cells = columns
        .map((c) => {
          const cell = byKey.get(`${r} ${c}`);
          const cls = cellClass(cell, s.metric);
          const tip = esc(cellTitle(cell, r, c, s));
          if (cls === 'empty')
            return `<td class="cell empty" data-from="${esc(r)}" data-to="${esc(c)}" title="${tip}"><span class="v">·</span></td>`;
          const value = cell.value === null ? '✕' : metricValue(s.metric, cell.value);
          const inner = `<span class="v">${esc(value)}</span><span class="n">${count(cell.samples)}</span>`;
          const content = c ? `<a href="${esc(link(r, c))}">${inner}</a>` : inner;
          return `<td class="cell ${cls}" data-from="${esc(r)}" data-to="${esc(c)}" data-samples="${cell.samples}" title="${tip}">${content}</td>`;
        })
        .join('');
      return `<tr><th scope="row" data-row="${esc(r)}" title="${esc(regionName(r))}">${esc(r)}</th>${cells}</tr>`;
    })
    .join('');
  const unit = isLatency(s.metric) ? `${s.metric} ms` : s.metric === 'loss' ? 'loss' : 'reset rate';
  root.innerHTML = `
    <div class="summary"><h2>${esc(s.target)} · ${esc(s.path)} · ${esc(s.protocol)} · ${esc(unit)}</h2>
      <span class="muted">${rows.length} probe regions × ${columns.length} ${esc(COLUMN_NAMES[s.path] ?? 'regions')}s · ${count(total)} samples · last ${esc(s.window)} · rows west → east</span></div>
    ${rows.length === 0 ? '<p class="muted">No samples in this window yet.</p>' : ''}
    <div class="heatmap-scroll"><table class="heatmap${rows.length * columns.length > DENSE_CELLS ? ' dense' : ''}" data-metric="${esc(s.metric)}">
      <thead><tr><th class="corner" scope="col"><span>probe ↓</span><span>${esc(COLUMN_NAMES[s.path] ?? 'region')} →</span></th>${head}</tr></thead>
      <tbody>${body}</tbody></table></div>
    ${legend(s.metric)}
    <p class="muted hint">Each cell: value (large) and samples (small). Click a cell for its history.</p>`;
}
