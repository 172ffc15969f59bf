import { esc } from './format.js';

/** A labelled <select>; `options` are values or [value, label] pairs. */
export function select(name, label, options, value) {
  const opts = options
    .map((o) => (Array.isArray(o) ? o : [o, o]))
    .map(([v, l]) => `<option value="${esc(v)}"${v === value ? ' selected' : ''}>${esc(l)}</option>`)
    .join('');
  return `<label class="field"><span>${esc(label)}</span><select name="${esc(name)}">${opts}</select></label>`;
}

export function targetField(targets, value) {
  if (targets.length > 0) return select('target', 'Target', targets, value);
  return `<label class="field"><span>Target</span><input name="target" value="${esc(value)}" required></label>`;
}

export const PATHS = ['anycast', 'pinned', 'private', 'flycast', 'mesh'];
export const PROTOCOLS = ['http', 'tcp', 'grpc'];
export const WINDOWS = ['5m', '15m', '1h', '6h', '24h', '7d'];
export const METRICS = [
  ['p50', 'p50 latency'],
  ['p95', 'p95 latency'],
  ['p99', 'p99 latency'],
  ['mean', 'mean latency'],
  ['loss', 'loss'],
  ['reset_rate', 'reset rate'],
];
