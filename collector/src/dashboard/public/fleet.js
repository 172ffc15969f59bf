import { get } from './api.js';
import { ago, bytes, esc, ms } from './format.js';
import { byGeography, regionName } from './regions.js';

export const title = 'Fleet';

export async function load() {
  return get('/v1/probes');
}

function health(h) {
  if (!h) return '<span class="muted">no heartbeat</span>';
  const drops = Object.entries(h.dropped ?? {}).filter(([, n]) => n > 0);
  const throttled =
    h.cpuThrottle && h.cpuThrottle.nrPeriods > 0 ? h.cpuThrottle.nrThrottled / h.cpuThrottle.nrPeriods : null;
  return [
    `<span title="resident memory">RSS ${bytes(h.rssBytes)}</span>`,
    `<span title="event-loop delay p99">loop p99 ${ms(h.eventLoopDelayMs?.p99)} ms</span>`,
    `<span title="results waiting to be sent">buffer ${esc(h.bufferDepth ?? 0)}</span>`,
    h.missedRuns ? `<span class="warn">missed runs ${esc(h.missedRuns)}</span>` : '',
    drops.length
      ? `<span class="warn">dropped ${drops.map(([k, n]) => `${esc(k)} ${esc(n)}`).join(', ')}</span>`
      : '',
    throttled !== null && throttled > 0.05
      ? `<span class="warn">CPU throttled ${Math.round(throttled * 100)}%</span>`
      : '',
  ]
    .filter(Boolean)
    .join('<br>');
}

export function render(root, { at, probes }) {
  const order = byGeography(probes.map((p) => p.region));
  const sorted = [...probes].sort(
    (a, b) => order.indexOf(a.region) - order.indexOf(b.region) || a.probeId.localeCompare(b.probeId),
  );
  const online = probes.filter((p) => p.online).length;
  const degraded = probes.filter((p) => p.degraded).length;
  const versions = new Set(probes.map((p) => p.version));
  const rows = sorted
    .map((p) => {
      const state = !p.online ? 'offline' : p.degraded ? 'degraded' : 'ok';
      return `<tr data-probe-id="${esc(p.probeId)}" class="probe-${state}">
        <td><span class="state-dot ${state}" title="${state}"></span>${esc(p.probeId)}</td>
        <td><b>${esc(p.region)}</b> <span class="muted">${esc(regionName(p.region))}</span></td>
        <td>${esc(p.version)}</td>
        <td title="${esc(new Date(p.lastSeen).toISOString())}">${ago(p.lastSeen, at)}</td>
        <td>${state === 'degraded' ? `<span class="warn">degraded</span> <span class="muted">${esc(p.degradedReason ?? '')}</span>` : state === 'offline' ? '<span class="muted">offline</span>' : 'healthy'}</td>
        <td class="health">${health(p.health)}</td>
        <td class="muted mono">${esc(p.machineId)}</td></tr>`;
    })
    .join('');
  root.innerHTML = `
    <div class="summary"><h2>Probes</h2><span class="muted">${probes.length} probes · ${online} online · ${degraded} degraded · ${order.length} regions · versions ${esc([...versions].join(', ') || '–')}</span></div>
    ${
      probes.length === 0
        ? '<p class="muted">No probe has reported yet.</p>'
        : `<div class="table-scroll"><table class="fleet">
      <thead><tr><th>probe</th><th>region</th><th>version</th><th>last seen</th><th>state</th><th>self-health</th><th>machine</th></tr></thead>
      <tbody>${rows}</tbody></table></div>`
    }`;
}
