import { get, url } from './api.js';
import { timeTicks } from './chart.js';
import { PROTOCOLS, select, targetField, WINDOWS } from './controls.js';
import { clock, esc } from './format.js';
import { byGeography, regionColours, regionName } from './regions.js';

export const title = 'Routes';

const LABEL_W = 196;
/** Below this width the lane names go (the legend says which is which) and the labels shrink. */
const NARROW_PX = 600;
const NARROW_LABEL_W = 96;
const LANE_H = 18;
const MIN_TEXT_PX = 30;

function selection(params, ctx) {
  return {
    target: params.get('target') || ctx.targets[0] || '',
    path: params.get('path') || 'anycast',
    protocol: params.get('protocol') || 'http',
    window: params.get('window') || '1h',
  };
}

export function controls(params, ctx) {
  const s = selection(params, ctx);
  return [
    targetField(ctx.targets, s.target),
    select('path', 'Path', ['anycast', 'flycast'], s.path),
    select('protocol', 'Protocol', PROTOCOLS, s.protocol),
    select('window', 'Window', WINDOWS, s.window),
  ].join('');
}

export async function load(params, ctx) {
  const s = selection(params, ctx);
  if (!s.target) return { s, timeline: null };
  return { s, timeline: await get(url('/v1/routes/timeline', s)) };
}

/**
 * Consecutive buckets served by one region merge into one bar in that region's colour. A bucket split
 * between regions (a flap faster than the bucket) is a bar of its own, stacked by share.
 */
function runs(buckets, key, stepMs) {
  const out = [];
  for (const b of buckets) {
    const parts = Object.entries(b[key]).sort((x, y) => y[1] - x[1]);
    const region = parts.length > 1 ? 'mixed' : (parts[0]?.[0] ?? (b.failed > 0 ? 'failed' : null));
    if (region === null) continue;
    const last = out.at(-1);
    if (last && region !== 'mixed' && last.region === region && last.to === b.t) {
      last.to = b.t + stepMs;
      last.samples += b.samples;
    } else out.push({ region, parts, from: b.t, to: b.t + stepMs, samples: b.samples });
  }
  return out;
}

function runTitle(r, laneName) {
  const what =
    r.region === 'failed'
      ? 'none (failed)'
      : r.region === 'mixed'
        ? r.parts.map(([k, n]) => `${k} ${n}`).join(', ')
        : `${r.region} (${regionName(r.region)})`;
  return `${laneName} ${what} · ${clock(r.from)}–${clock(r.to)} UTC · ${r.samples} samples`;
}

function lane(runList, y, x, colours, laneName) {
  return runList
    .map((r) => {
      const x0 = x(r.from);
      const w = Math.max(1.5, x(r.to) - x0 - 0.5);
      const title = `<title>${esc(runTitle(r, laneName))}</title>`;
      let shapes;
      if (r.region === 'mixed') {
        const total = r.parts.reduce((n, [, c]) => n + c, 0);
        let y0 = y;
        shapes = r.parts
          .map(([k, c]) => {
            const h = (c / total) * LANE_H;
            const rect = `<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="${colours.get(k) ?? '#888'}">${title}</rect>`;
            y0 += h;
            return rect;
          })
          .join('');
      } else {
        const fill = r.region === 'failed' ? '' : ` fill="${colours.get(r.region) ?? '#888'}"`;
        const text = w >= MIN_TEXT_PX ? `<text x="${x0 + 4}" y="${y + 13}">${esc(r.region)}</text>` : '';
        shapes = `<rect x="${x0}" y="${y}" width="${w}" height="${LANE_H}" rx="2"${fill}>${title}</rect>${text}`;
      }
      return `<g class="run ${esc(r.region === 'mixed' || r.region === 'failed' ? r.region : '')}" data-lane="${laneName}" data-region="${esc(r.region)}">${shapes}</g>`;
    })
    .join('');
}

export function render(root, { s, timeline: t }) {
  if (!t) {
    root.innerHTML = '<p class="muted">No targets configured yet.</p>';
    return;
  }
  const width = Math.max(320, Math.min(root.clientWidth || 900, 1600));
  const narrow = width < NARROW_PX;
  const labelW = narrow ? NARROW_LABEL_W : LABEL_W;
  const plotW = width - labelW - 8;
  const x = (ts) => labelW + ((ts - t.from) / (t.to - t.from)) * plotW;
  const seen = new Set();
  for (const r of t.rows)
    for (const b of r.buckets)
      for (const k of [...Object.keys(b.edges), ...Object.keys(b.served)]) seen.add(k);
  const colours = regionColours(byGeography([...seen]));
  const rows = byGeography(t.rows.map((r) => r.probeRegion)).map((code) =>
    t.rows.find((r) => r.probeRegion === code),
  );
  const ticks = timeTicks(t.from, t.to, plotW);
  const labels = ticks.map(
    (ts) => `<text class="tick" x="${x(ts)}" y="12" text-anchor="middle">${clock(ts)}</text>`,
  );
  const axis = `<svg class="timeline-axis" width="${width}" height="16">${labels.join('')}</svg>`;
  const body = rows
    .map((r) => {
      const edges = runs(r.buckets, 'edges', t.stepMs);
      const served = runs(r.buckets, 'served', t.stepMs);
      const newest = served.filter((x) => x.region !== 'failed').at(-1);
      const current = newest ? newest.parts.map(([k]) => k).join('/') : '–';
      const h = 2 * LANE_H + 10;
      const grid = ticks.map((ts) => `<line class="grid" x1="${x(ts)}" x2="${x(ts)}" y1="0" y2="${h}"/>`);
      const changes = r.changes
        ? narrow
          ? ` · ${r.changes}×`
          : ` · ${r.changes} change${r.changes > 1 ? 's' : ''}`
        : '';
      const laneNames = narrow
        ? ''
        : `<text class="lane-label" x="${labelW - 6}" y="14" text-anchor="end">edge</text>
          <text class="lane-label" x="${labelW - 6}" y="${LANE_H + 17}" text-anchor="end">served</text>`;
      return `<div class="timeline-row${r.changes > 0 ? ' moved' : ''}" data-probe-region="${esc(r.probeRegion)}">
        <svg width="${width}" height="${h}" role="img" aria-label="${esc(`${r.probeRegion} routes`)}">${grid.join('')}
          <text class="row-label" x="4" y="14">${esc(r.probeRegion)}</text>
          <text class="row-sub" x="4" y="${LANE_H + 16}">${esc(`→ ${current}${changes}`)}</text>${laneNames}
          ${lane(edges, 2, x, colours, 'edge')}${lane(served, LANE_H + 6, x, colours, 'served')}</svg></div>`;
    })
    .join('');
  const legend = [...colours]
    .map(
      ([code, colour]) =>
        `<span class="region-key"><svg width="12" height="12"><rect width="12" height="12" rx="2" fill="${colour}"/></svg>${esc(code)}</span>`,
    )
    .join(' ');
  const moved = rows.filter((r) => r.changes > 0).length;
  root.innerHTML = `
    <div class="summary"><h2>${esc(s.target)} · ${esc(s.path)} · ${esc(s.protocol)} routes</h2>
      <span class="muted">${rows.length} probe regions · ${moved} with route changes · last ${esc(s.window)} · bucket ${Math.round(t.stepMs / 1000)} s${t.truncated ? ` · only since ${clock(t.coveredFrom)} UTC (too many results)` : ''}</span></div>
    ${rows.length === 0 ? `<p class="muted">No ${esc(s.path)} results in this window.</p>` : `<div class="timeline">${axis}${body}</div>`}
    <p class="legend">${legend} <span class="region-key"><svg width="12" height="12"><rect class="failed-key" width="12" height="12" rx="2"/></svg>failed</span> <span class="muted">· a bar split top to bottom: several regions in one bucket (a flap faster than the bucket)</span></p>
    <p class="muted hint">Each probe region: top lane the edge (Fly-Region) that took the request, bottom lane the region that served it. A colour change is a catchment shift or a flap.</p>`;
}
