import { createHash } from 'node:crypto';
import { constants, gzip, gzipSync } from 'node:zlib';
import type { Context, MiddlewareHandler } from 'hono';
import { COMPRESSIBLE_CONTENT_TYPE_REGEX } from 'hono/compress';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Smaller answers are not worth a gzip header (as hono's compress). */
const GZIP_MIN_BYTES = 1024;
/** Up to this size gzip runs on the event loop: a 40 KB matrix takes ~0.3 ms, less than a thread-pool round trip. */
const GZIP_INLINE_MAX_BYTES = 256 * 1024;
/**
 * Fastest level, as nginx's default for dynamic answers: on a 45 KB matrix half the time of the default level 6
 * (0.5 against 1.0 ms) for 13% more bytes (14.4 against 12.7 KB).
 */
const GZIP_OPTIONS = { level: constants.Z_BEST_SPEED };
/** What a 304 keeps of the 200 it stands for (RFC 9110 15.4.5). */
const RETAINED_304_HEADERS = ['cache-control', 'content-location', 'date', 'etag', 'expires', 'vary'];
const NO_TRANSFORM = /(?:^|,)\s*no-transform\s*(?:,|$)/i;
const VARIES_BY_ENCODING = /(?:^|,)\s*accept-encoding\s*(?:,|$)/i;

/** The ETag matches when any listed tag (weak or strong) equals ours, or for `*` (weak comparison, RFC 9110 13.1.2). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const strong = etag.startsWith('W/') ? etag.slice(2) : etag;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === strong || tag === `W/${strong}`;
  });
}

/** True when `Accept-Encoding` names gzip (or `*`) with a q above 0. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let wildcard = false;
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const accepted = q === undefined || Number(q.slice(2)) > 0;
    if (name === 'gzip') return accepted;
    if (name === '*') wildcard = accepted;
  }
  return wildcard;
}

/**
 * The bytes of answers made by `jsonAnswer`, so the middleware takes them as they are: reading a Response's body
 * back (`arrayBuffer()`) turns @hono/node-server's light Response (status, headers and body kept as given, written
 * with one `end`) into undici's, its body into a web stream read back chunk by chunk.
 */
const answerBytes = new WeakMap<Response, Uint8Array<ArrayBuffer>>();

/** A JSON answer (as `c.json`), its bytes kept for `readAnswers`. */
export function jsonAnswer(c: Context, status: ContentfulStatusCode, value: unknown): Response {
  const body: Uint8Array<ArrayBuffer> = Buffer.from(JSON.stringify(value));
  const res = c.body(body, status, { 'Content-Type': 'application/json' });
  answerBytes.set(res, body);
  return res;
}

function gzipped(body: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  if (body.byteLength <= GZIP_INLINE_MAX_BYTES) return Promise.resolve(gzipSync(body, GZIP_OPTIONS));
  return new Promise((resolve, reject) =>
    gzip(body, GZIP_OPTIONS, (error, out) => (error ? reject(error) : resolve(out))),
  );
}

/**
 * Sets the answer as given: assigning `c.res` over an earlier one makes hono copy it (`new Response(old.body, new)`,
 * a web stream the server then reads chunk by chunk) to merge headers this middleware has already carried over.
 */
function replace(c: Context, res: Response): void {
  c.res = undefined;
  c.res = res;
}

/**
 * GET answers, read once: a strong ETag over the body (SHA-1, unless the route set its own), `304` without a
 * body when `If-None-Match` matches, else gzip when the client accepts it (the ETag then weak, as the bytes
 * differ). One middleware because hono's etag and compress each re-streamed the body (a clone through a web
 * stream into an async SubtleCrypto digest on the thread pool, then a CompressionStream): 3-4 ms of a 40 KB
 * matrix answer whose store read takes 0.5 ms. `gzipFor(path)` says which answers may be compressed.
 */
export function readAnswers(gzipFor: (path: string) => boolean): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const method = c.req.method;
    if (method !== 'GET' && method !== 'HEAD') return;
    const res = c.res;
    if (!res.ok) return;
    // `res.body` too would turn a light Response into undici's.
    const known = answerBytes.get(res);
    if (!known && !res.body) return;
    const body = known ?? new Uint8Array(await res.arrayBuffer());
    const headers = new Headers(res.headers);
    const type = headers.get('content-type');
    const compressible =
      method === 'GET' &&
      gzipFor(c.req.path) &&
      res.status !== 206 &&
      !headers.has('content-encoding') &&
      body.byteLength >= GZIP_MIN_BYTES &&
      type !== null &&
      COMPRESSIBLE_CONTENT_TYPE_REGEX.test(type) &&
      !NO_TRANSFORM.test(headers.get('cache-control') ?? '');
    if (compressible) {
      const vary = headers.get('vary');
      if (vary !== '*' && !VARIES_BY_ENCODING.test(vary ?? ''))
        headers.set('vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding');
    }
    let etag = headers.get('etag');
    if (!etag) {
      etag = `"${createHash('sha1').update(body).digest('hex')}"`;
      headers.set('etag', etag);
    }
    if (etagMatches(c.req.header('if-none-match'), etag)) {
      const kept = new Headers();
      for (const name of RETAINED_304_HEADERS) {
        const value = headers.get(name);
        if (value !== null) kept.set(name, value);
      }
      replace(c, new Response(null, { status: 304, headers: kept }));
      return;
    }
    let out: Uint8Array<ArrayBuffer> = body;
    if (compressible && acceptsGzip(c.req.header('accept-encoding'))) {
      out = await gzipped(body);
      headers.set('content-encoding', 'gzip');
      if (!etag.startsWith('W/')) headers.set('etag', `W/${etag}`);
    }
    headers.set('content-length', String(out.byteLength));
    replace(c, new Response(method === 'HEAD' ? null : out, { status: res.status, headers }));
  };
}
