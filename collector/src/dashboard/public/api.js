// The collector's /v1 API with the signed-in token as a bearer header. GETs are conditional: the last body
// and ETag per URL are kept, so an unchanged answer costs a 304 without a body.
const TOKEN_KEY = 'flyprobe.token';
const cache = new Map();

export class ApiFailure extends Error {
  /** status 0: the collector did not answer (network error or timeout). */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => {
    sessionStorage.removeItem(TOKEN_KEY);
    cache.clear();
  },
};

const TIMEOUT_MS = 10_000;

async function request(path, init, secret) {
  const headers = { authorization: `Bearer ${secret}`, ...init.headers };
  let res;
  try {
    res = await fetch(path, { ...init, headers, signal: AbortSignal.timeout(TIMEOUT_MS), cache: 'no-store' });
  } catch {
    throw new ApiFailure(0, 'the collector did not answer');
  }
  return res;
}

async function failure(res) {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = await res.json();
    if (body?.error?.message) message = body.error.message;
    const fields = body?.error?.fields;
    if (Array.isArray(fields) && fields.length > 0)
      message += `: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`;
  } catch {
    // Not a JSON error body: the status line says enough.
  }
  return new ApiFailure(res.status, message);
}

/** GET a JSON document; `secret` overrides the stored token (used to check one at sign-in). */
export async function get(path, secret = token.get()) {
  const cached = cache.get(path);
  const headers = cached ? { 'if-none-match': cached.etag } : {};
  const res = await request(path, { headers }, secret);
  if (res.status === 304 && cached) return cached.body;
  if (!res.ok) throw await failure(res);
  const body = await res.json();
  const etag = res.headers.get('etag');
  if (etag) cache.set(path, { etag, body });
  return body;
}

export async function send(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await request(path, init, token.get());
  if (!res.ok) throw await failure(res);
  return res.status === 204 ? null : res.json();
}

/** `/v1/...?a=b` from parameters, leaving out empty ones. */
export function url(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
