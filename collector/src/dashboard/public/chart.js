import { clock, esc } from './format.js';

// Hand-rolled SVG time charts: lines (latency quantiles), stacked bars (failures), shaded alert spans.
const PAD = { left: 48, right: 12, top: 12, bottom: 26 };
const TIME_STEPS = [
  60e3, 120e3, 300e3, 600e3, 900e3, 1800e3, 3600e3, 7200e3, 10800e3, 21600e3, 43200e3, 86400e3,
];

function niceStep(span, ticks) {
  const raw = span / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

/** Round times (whole minutes, hours) between `from` and `to`, about 90 px apart over `widthPx`. */
export function timeTicks(from, to, widthPx) {
  const step =
    TIME_STEPS.find((s) => (to - from) / s <= Math.max(2, Math.floor(widthPx / 90))) ?? TIME_STEPS.at(-1);
  const out = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) out.push(t);
  return out;
}

/** Alert label beside its start line; near the right edge it goes to the left of the line. */
function markerLabel(x0, right, m) {
  const flip = right - x0 < 80;
  return `<text x="${flip ? x0 - 4 : x0 + 4}" y="${PAD.top + 12}" text-anchor="${flip ? 'end' : 'start'}">${esc(m.short ?? m.label)}</text>`;
}

const fmtTick = (v) => (v >= 100 ? String(Math.round(v)) : String(Number(v.toPrecision(3))));

/**
 * @param spec { width, height, from, to, unit, lines: [{cls, name, points: [[t, v|null]]}],
 *   bars: [{cls, name, points: [[t, n]]}] (stacked, bucket width `stepMs`), stepMs,
 *   markers: [{from, to, cls, label}], floor?: number }
 */
export function timeChart(spec) {
  const { width, height, from, to } = spec;
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - PAD.bottom;
  const x = (t) => PAD.left + ((t - from) / (to - from)) * w;
  let max = spec.floor ?? 0;
  for (const l of spec.lines ?? []) for (const [, v] of l.points) if (v !== null && v > max) max = v;
  const stacks = new Map();
  for (const b of spec.bars ?? [])
    for (const [t, n] of b.points) {
      stacks.set(t, (stacks.get(t) ?? 0) + n);
      if (stacks.get(t) > max) max = stacks.get(t);
    }
  const yStep = niceStep(max || 1, 4);
  const yMax = Math.max(yStep, Math.ceil((max || 1) / yStep) * yStep);
  const y = (v) => PAD.top + h - (v / yMax) * h;
  const parts = [];
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    parts.push(`<line class="grid" x1="${PAD.left}" x2="${PAD.left + w}" y1="${y(v)}" y2="${y(v)}"/>`);
    parts.push(
      `<text class="tick" x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${fmtTick(v)}</text>`,
    );
  }
  for (const t of timeTicks(from, to, w)) {
    parts.push(`<line class="grid" x1="${x(t)}" x2="${x(t)}" y1="${PAD.top}" y2="${PAD.top + h}"/>`);
    parts.push(`<text class="tick" x="${x(t)}" y="${height - 8}" text-anchor="middle">${clock(t)}</text>`);
  }
  for (const m of spec.markers ?? []) {
    const x0 = Math.max(PAD.left, x(m.from));
    const x1 = Math.min(PAD.left + w, x(m.to));
    if (x1 < PAD.left || x0 > PAD.left + w) continue;
    parts.push(
      `<g class="marker ${esc(m.cls)}"><rect x="${x0}" y="${PAD.top}" width="${Math.max(2, x1 - x0)}" height="${h}"><title>${esc(m.label)}</title></rect>` +
        `<line x1="${x0}" x2="${x0}" y1="${PAD.top}" y2="${PAD.top + h}"/>${markerLabel(x0, PAD.left + w, m)}</g>`,
    );
  }
  if (spec.bars) {
    const bw = Math.max(1, (spec.stepMs / (to - from)) * w - 1);
    const base = new Map();
    for (const b of spec.bars)
      for (const [t, n] of b.points) {
        if (!n) continue;
        const y0 = base.get(t) ?? 0;
        base.set(t, y0 + n);
        parts.push(
          `<rect class="bar ${esc(b.cls)}" x="${x(t)}" y="${y(y0 + n)}" width="${Math.max(1, Math.min(bw, PAD.left + w - x(t)))}" height="${y(y0) - y(y0 + n)}"><title>${clock(t)} ${esc(b.name)}: ${n}</title></rect>`,
        );
      }
  }
  if (spec.floor) {
    parts.push(
      `<line class="floor" x1="${PAD.left}" x2="${PAD.left + w}" y1="${y(spec.floor)}" y2="${y(spec.floor)}"/>`,
    );
    parts.push(
      `<text class="tick floor-label" x="${PAD.left + w - 4}" y="${y(spec.floor) - 4}" text-anchor="end">fibre floor</text>`,
    );
  }
  for (const l of spec.lines ?? []) {
    let d = '';
    let pen = false;
    for (const [t, v] of l.points) {
      if (v === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    }
    if (d) parts.push(`<path class="line ${esc(l.cls)}" d="${d}"><title>${esc(l.name)}</title></path>`);
    // Isolated points would be invisible as a path: mark every point.
    for (const [t, v] of l.points)
      if (v !== null)
        parts.push(
          `<circle class="dot ${esc(l.cls)}" cx="${x(t).toFixed(1)}" cy="${y(v).toFixed(1)}" r="1.8"/>`,
        );
  }
  parts.push(`<text class="unit" x="${PAD.left}" y="${PAD.top - 2}">${esc(spec.unit ?? '')}</text>`);
  return `<svg class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(spec.label ?? 'chart')}">${parts.join('')}</svg>`;
}

export function chartLegend(items) {
  return `<p class="chart-legend">${items.map((i) => `<span class="key ${esc(i.cls)}"></span>${esc(i.name)}`).join(' ')}</p>`;
}
