import { ApiFailure, get, send } from './api.js';
import { ago, clock, dateTime, esc } from './format.js';

export const title = 'Alerts';

const RESOLVED_SHOWN = 30;
const NOTE_MS = 30_000;
const SILENCE_MS = 3_600_000;
/** Kept across re-renders: which evidence panels are open, and the outcome of the last action per alert. */
const open = new Set();
const notes = new Map();
const bound = new WeakSet();
let alertsById = new Map();

export async function load() {
  const [alerts, silences] = await Promise.all([get('/v1/alerts?limit=500'), get('/v1/silences')]);
  return { alerts: alerts.alerts, silences: silences.silences };
}

function labelChips(labels) {
  return Object.entries(labels)
    .filter(([k]) => k !== 'severity')
    .map(([k, v]) => `<span class="chip"><span class="k">${esc(k)}</span>${esc(v)}</span>`)
    .join('');
}

/** What the collector's cause sources know about the alert's region and window (docs/CAUSES.md). */
function causesList(causes) {
  if (!causes || causes.length === 0) return '';
  const link = (url) =>
    /^https?:\/\//.test(url ?? '') ? ` <a href="${esc(url)}" rel="noopener noreferrer">details</a>` : '';
  const items = causes
    .map(
      (c) =>
        `<li><span class="pill">${esc(c.side === 'probe' ? 'probe' : c.source)}</span> ${esc(c.summary)}${link(c.url)}</li>`,
    )
    .join('');
  return `<ul class="causes" aria-label="Likely causes">${items}</ul>`;
}

function evidence(a) {
  const e = a.evidence;
  const values = Object.entries(e.values ?? {})
    .map(
      ([k, v]) =>
        `<tr><th>${esc(k)}</th><td>${esc(typeof v === 'number' ? Number(v.toPrecision(6)) : v)}</td></tr>`,
    )
    .join('');
  const seq = (e.regionSequence ?? [])
    .map(
      (s) =>
        `<li><span class="muted">${clock(s.at, true)}</span> edge <b>${esc(s.edge ?? '–')}</b> → served <b>${esc(s.served ?? '–')}</b> <span class="muted">#${esc(s.resultId)}</span></li>`,
    )
    .join('');
  return `<div class="evidence">
    <p class="muted">Window ${dateTime(e.window?.from)} – ${dateTime(e.window?.to)} · ${esc(e.window?.samples ?? 0)} samples</p>
    ${values ? `<table class="kv">${values}</table>` : ''}
    ${seq ? `<h4>Region sequence</h4><ol class="region-seq">${seq}</ol>` : ''}
    ${e.sampleIds?.length ? `<p class="muted">Sample ids (GET /v1/results): ${esc(e.sampleIds.slice(0, 40).join(', '))}${e.sampleIds.length > 40 ? ' …' : ''}</p>` : ''}
  </div>`;
}

function card(a, now) {
  const note = notes.get(a.id);
  const noteHtml =
    note && now - note.at < NOTE_MS
      ? `<p class="${note.ok ? 'ok-note' : 'error'}" role="${note.ok ? 'status' : 'alert'}">${esc(note.text)}</p>`
      : '';
  const times = [
    `started ${ago(a.startsAt, now)}`,
    a.firedAt ? `fired ${clock(a.firedAt, true)}` : null,
    a.resolvedAt ? `resolved ${clock(a.resolvedAt, true)}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
  const status = [
    a.acknowledgedAt
      ? `<span class="chip ack">acknowledged by ${esc(a.acknowledgedBy)} ${ago(a.acknowledgedAt, now)}</span>`
      : '',
    a.silencedBy ? `<span class="chip silenced">silenced (${esc(a.silencedBy)})</span>` : '',
  ].join('');
  const actions =
    a.state === 'resolved'
      ? ''
      : `<div class="actions">${a.acknowledgedAt ? '' : `<button type="button" data-act="ack" data-id="${esc(a.id)}">Acknowledge</button>`}
          <button type="button" class="ghost" data-act="silence" data-id="${esc(a.id)}">Silence 1h</button></div>`;
  return `<article class="alert sev-${esc(a.severity)} state-${esc(a.state)}" data-alert-id="${esc(a.id)}" data-rule="${esc(a.rule)}">
    <header><span class="pill sev">${esc(a.severity)}</span><span class="pill state-${esc(a.state)}">${esc(a.state)}</span>
      <span class="pill scope">${esc(a.scope)}</span><h3>${esc(a.rule)}</h3><span class="muted times">${times} UTC</span></header>
    <p class="summary-line">${esc(a.summary)}</p>
    ${causesList(a.causes)}
    <div class="chips">${labelChips(a.labels)}${status}</div>
    ${noteHtml}${actions}
    <details data-id="${esc(a.id)}"${open.has(a.id) ? ' open' : ''}><summary>Evidence</summary>${evidence(a)}</details>
  </article>`;
}

async function act(kind, id, refresh) {
  const a = alertsById.get(id);
  if (!a) return;
  try {
    if (kind === 'ack') {
      await send('POST', `/v1/alerts/${encodeURIComponent(id)}/ack`, {
        comment: 'acknowledged from the dashboard',
      });
      notes.set(id, { ok: true, text: 'Acknowledged.', at: Date.now() });
    } else {
      const matchers = Object.entries(a.labels)
        .filter(([k]) => k !== 'severity')
        .map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
      await send('POST', '/v1/silences', {
        matchers,
        durationMs: SILENCE_MS,
        comment: `silenced from the dashboard (${a.rule})`,
      });
      notes.set(id, { ok: true, text: 'Silenced for 1 hour.', at: Date.now() });
    }
  } catch (err) {
    const refused = err instanceof ApiFailure && err.status === 403;
    notes.set(id, { ok: false, text: `${refused ? 'Refused' : 'Failed'}: ${err.message}`, at: Date.now() });
  }
  refresh();
}

function bind(root, ctx) {
  if (bound.has(root)) return;
  bound.add(root);
  root.addEventListener('click', (e) => {
    const button = e.target.closest('button[data-act]');
    if (!button) return;
    button.disabled = true;
    act(button.dataset.act, button.dataset.id, ctx.refresh);
  });
  root.addEventListener(
    'toggle',
    (e) => {
      const d = e.target;
      if (d.tagName !== 'DETAILS') return;
      if (d.open) open.add(d.dataset.id);
      else open.delete(d.dataset.id);
    },
    true,
  );
}

function section(name, list, now, empty) {
  return `<section class="alert-section" data-section="${esc(name)}"><h2>${esc(name)} <span class="count">${list.length}</span></h2>
    ${list.length ? list.map((a) => card(a, now)).join('') : `<p class="muted">${esc(empty)}</p>`}</section>`;
}

export function render(root, { alerts, silences }, params, ctx) {
  bind(root, ctx);
  alertsById = new Map(alerts.map((a) => [a.id, a]));
  const focus = params.get('focus');
  if (focus) open.add(focus);
  const now = ctx.now;
  const by = (state) => alerts.filter((a) => a.state === state);
  const active = silences.filter((s) => s.state !== 'expired');
  const silenceRows = active
    .map(
      (
        s,
      ) => `<li><span class="pill state-${esc(s.state)}">${esc(s.state)}</span> ${s.matchers.map((m) => `<code>${esc(m.name)}${m.isEqual ? '' : '!'}${m.isRegex ? '=~' : '='}${esc(m.value)}</code>`).join(' ')}
        <span class="muted">until ${dateTime(s.endsAt)} · ${esc(s.createdBy)}${s.comment ? ` · ${esc(s.comment)}` : ''}</span></li>`,
    )
    .join('');
  root.innerHTML = `
    ${section('Firing', by('firing'), now, 'Nothing is firing.')}
    ${section('Pending', by('pending'), now, 'Nothing pending.')}
    ${section('Resolved', by('resolved').slice(0, RESOLVED_SHOWN), now, 'No resolved alerts in the history.')}
    <section class="alert-section"><h2>Silences <span class="count">${active.length}</span></h2>
      ${silenceRows ? `<ul class="silences">${silenceRows}</ul>` : '<p class="muted">No active silences.</p>'}</section>`;
  if (focus)
    root.querySelector(`[data-alert-id="${CSS.escape(focus)}"]`)?.scrollIntoView({ block: 'center' });
}
