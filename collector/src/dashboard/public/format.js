// Formatting and escaping shared by the views.
const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const LATENCY_METRICS = ['p50', 'p95', 'p99', 'mean'];
export const isLatency = (metric) => LATENCY_METRICS.includes(metric);

export function ms(v) {
  if (v === null || v === undefined) return '–';
  if (v >= 100) return String(Math.round(v));
  if (v >= 10) return v.toFixed(0);
  return v.toFixed(1);
}

export function ratio(v) {
  if (v === null || v === undefined) return '–';
  if (v === 0) return '0%';
  if (v < 0.001) return '<0.1%';
  return v < 0.1 ? `${(v * 100).toFixed(1)}%` : `${Math.round(v * 100)}%`;
}

export const metricValue = (metric, v) => (isLatency(metric) ? ms(v) : ratio(v));

export function count(n) {
  if (n >= 10_000) return `${Math.round(n / 1000)}k`;
  if (n >= 1000) return `${(n / 1000).toFixed(1)}k`;
  return String(n);
}

export function bytes(n) {
  if (n === undefined || n === null) return '–';
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${Math.round(n / (1 << 20))} MiB`;
  return `${Math.round(n / 1024)} KiB`;
}

const pad = (n) => String(n).padStart(2, '0');

/** HH:MM (UTC), with seconds when asked. */
export function clock(t, seconds = false) {
  const d = new Date(t);
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return seconds ? `${hm}:${pad(d.getUTCSeconds())}` : hm;
}

export function dateTime(t) {
  if (!t) return '–';
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${clock(t, true)} UTC`;
}

export function ago(t, now = Date.now()) {
  if (!t) return '–';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}
