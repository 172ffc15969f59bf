import { ApiFailure, get, token } from './api.js';
import { clock, esc } from './format.js';
import { setCatalog } from './regions.js';

// Views are loaded on first use, so the matrix (the landing view) paints without the others' code.
const VIEWS = {
  matrix: () => import('./matrix.js'),
  cell: () => import('./cell.js'),
  routes: () => import('./routes.js'),
  alerts: () => import('./alerts.js'),
  fleet: () => import('./fleet.js'),
};
const POLL_MS = 4000;
/** Without a successful update for this long the page says its data is stale. */
const STALE_MS = 3 * POLL_MS;
/** Probes report every few seconds; none heard from for this long means the figures are not current. */
const PROBES_QUIET_MS = 120_000;

const $ = (id) => document.getElementById(id);
const ctx = { targets: [], probes: [], now: Date.now(), refresh: () => tick() };
let current = { key: '', view: undefined, params: new URLSearchParams() };
let lastOk = 0;
let failing = null;
let timer;
let ticks = 0;
let running = false;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [name, query = ''] = raw.split('?');
  return { name: name && name in VIEWS ? name : 'matrix', params: new URLSearchParams(query) };
}

function navigate(name, params) {
  const q = new URLSearchParams(params).toString();
  location.hash = `#/${name}${q ? `?${q}` : ''}`;
}

function setLive(state, text) {
  const el = $('live');
  el.dataset.state = state;
  el.textContent = text;
  document.body.dataset.live = state;
  // Also across the page, for a wall display read from across the room.
  const banner = $('banner');
  banner.hidden = state !== 'down' && state !== 'stale';
  banner.dataset.state = state;
  banner.textContent = banner.hidden ? '' : `${text}. The figures below are not current.`;
}

function updateLive() {
  if (failing) {
    const what =
      failing.status === 0
        ? 'Collector unreachable'
        : failing.status > 0
          ? `Collector error ${failing.status}`
          : `Dashboard error: ${failing.message}`;
    setLive('down', `${what}${lastOk ? ` · last update ${clock(lastOk, true)} UTC` : ''}`);
  } else if (lastOk && Date.now() - lastOk > STALE_MS) {
    setLive('stale', `Stale · last update ${clock(lastOk, true)} UTC`);
  } else if (ctx.probes.length > 0 && ctx.probes.every((p) => ctx.now - p.lastSeen > PROBES_QUIET_MS)) {
    setLive('stale', 'No probe has reported for 2 min');
  } else if (lastOk) setLive('live', `Live · ${clock(lastOk, true)} UTC`);
}

function showLogin(message) {
  running = false;
  clearTimeout(timer);
  token.clear();
  $('nav').hidden = true;
  $('sign-out').hidden = true;
  setLive('idle', '');
  const view = $('view');
  view.replaceChildren(loginForm);
  loginForm.hidden = false;
  const err = $('login-error');
  err.hidden = !message;
  err.textContent = message ?? '';
  $('token').focus();
}

function markNav(name) {
  for (const a of document.querySelectorAll('#nav a')) {
    const active = a.dataset.view === (name === 'cell' ? 'matrix' : name);
    a.classList.toggle('active', active);
    if (active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

async function mountView() {
  const { name, params } = parseHash();
  const key = `${name}?${params}`;
  const view = await VIEWS[name]();
  if (current.key === key && current.view === view) return;
  current = { key, view, params, name };
  markNav(name);
  document.title = `${view.title} · flyprobe`;
  const root = $('view');
  root.innerHTML = `<form class="controls" id="controls"></form><section id="content" class="content" aria-busy="true"><p class="muted loading">Loading…</p></section>`;
  const controls = $('controls');
  controls.innerHTML = view.controls ? view.controls(params, ctx) : '';
  controls.hidden = !view.controls;
  controls.addEventListener('change', () => {
    const next = new URLSearchParams(params);
    for (const [k, v] of new FormData(controls)) next.set(k, String(v));
    navigate(name, next);
  });
  controls.addEventListener('submit', (e) => e.preventDefault());
}

/**
 * Renders and keeps the latest timings as performance entries (`render:<view>`, and `painted:<view>` one frame
 * later), which the dashboard benchmark reads; only the newest of each is kept.
 */
function timedRender(name, render) {
  const start = performance.now();
  render();
  performance.clearMeasures(`render:${name}`);
  performance.measure(`render:${name}`, { start, end: performance.now() });
  requestAnimationFrame(() => {
    performance.clearMarks(`painted:${name}`);
    performance.mark(`painted:${name}`);
  });
}

async function tick() {
  if (!running) return;
  clearTimeout(timer);
  const seq = ++ticks;
  try {
    await mountView();
    const [firing, probes, targets] = await Promise.all([
      // 404: a collector running without the alerting plugin.
      get('/v1/alerts?state=firing&limit=1000').catch((err) => {
        if (err instanceof ApiFailure && err.status === 404) return { alerts: [] };
        throw err;
      }),
      get('/v1/probes'),
      get('/v1/targets'),
    ]);
    ctx.now = probes.at;
    ctx.probes = probes.probes;
    setTargets(targets);
    const badge = $('alert-badge');
    badge.hidden = firing.alerts.length === 0;
    badge.textContent = String(firing.alerts.length);
    const { view, params } = current;
    let data;
    let refused;
    try {
      data = await view.load(params, ctx);
    } catch (err) {
      // A 4xx about this view's parameters is the answer to show, not a broken connection.
      if (!(err instanceof ApiFailure) || err.status < 400 || err.status === 401 || err.status >= 500)
        throw err;
      refused = err;
    }
    if (seq !== ticks) return; // a newer tick (a navigation) owns the page now
    const content = $('content');
    if (refused) content.innerHTML = `<p class="error" role="alert">${esc(refused.message)}</p>`;
    else timedRender(current.name, () => view.render(content, data, params, ctx));
    content.removeAttribute('aria-busy');
    content.dataset.updated = String(Date.now());
    lastOk = Date.now();
    failing = null;
  } catch (err) {
    if (seq !== ticks) return;
    if (err instanceof ApiFailure && err.status === 401) {
      showLogin('Your token is no longer accepted; sign in again.');
      return;
    }
    failing = err instanceof ApiFailure ? err : new ApiFailure(-1, String(err));
  }
  updateLive();
  if (running) timer = setTimeout(tick, document.hidden ? POLL_MS * 5 : POLL_MS);
}

function setTargets(answer) {
  ctx.targets = answer.targets.map((t) => t.name);
  ctx.targetConfigs = answer.targets;
}

async function start() {
  running = true;
  $('nav').hidden = false;
  $('sign-out').hidden = false;
  setLive('idle', 'Connecting…');
  const [{ regions }, targets] = await Promise.all([get('/v1/regions'), get('/v1/targets')]);
  setCatalog(regions);
  setTargets(targets);
  current = { key: '', view: undefined, params: new URLSearchParams() };
  await tick();
}

const loginForm = $('login');
loginForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const secret = $('token').value.trim();
  const err = $('login-error');
  try {
    await get('/v1/regions', secret);
    token.set(secret);
    $('token').value = '';
    loginForm.hidden = true;
    await start();
  } catch (failure) {
    err.hidden = false;
    if (failure instanceof ApiFailure && failure.status === 401)
      err.textContent = 'This token is not valid (or was revoked).';
    else if (failure instanceof ApiFailure && failure.status === 403)
      err.textContent = 'This is a probe token; the dashboard needs a read or admin token.';
    else err.textContent = `Cannot sign in: ${failure.message}`;
  }
});

$('sign-out').addEventListener('click', () => showLogin());
window.addEventListener('hashchange', () => {
  if (running) tick();
});
document.addEventListener('visibilitychange', () => {
  if (running && !document.hidden) tick();
});
setInterval(updateLive, 1000);

if (token.get())
  start().catch((e) => showLogin(e instanceof ApiFailure && e.status === 401 ? undefined : e.message));
else showLogin();
