import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { prng } from '../../detect/testing/streams.ts';
import { acceptsGzip, etagMatches, readAnswers } from './read-answers.ts';

const big = { cells: Array.from({ length: 200 }, (_, i) => ({ from: 'fra', to: 'ams', value: i })) };
const bigText = JSON.stringify(big);
const huge = 'x'.repeat(300 * 1024);
const sha1 = (text: string) => `"${createHash('sha1').update(text).digest('hex')}"`;

function app() {
  const a = new Hono();
  a.use(
    '*',
    readAnswers((path) => path !== '/plain'),
  );
  a.get('/big', (c) => c.json(big));
  a.get('/plain', (c) => c.json(big));
  a.get('/small', (c) => c.json({ ok: true }));
  a.get('/huge', (c) => c.text(huge));
  a.get('/own-tag', (c) => {
    c.header('ETag', '"mine"');
    return c.json(big);
  });
  a.get('/no-transform', (c) => {
    c.header('Cache-Control', 'no-transform');
    return c.json(big);
  });
  a.get('/missing', (c) => c.json({ error: 'nope', pad: 'y'.repeat(2000) }, 404));
  a.post('/big', (c) => c.json(big));
  return a;
}

async function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
  const res = await app().request(path, { method, headers });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('readAnswers', () => {
  it('gzips a large answer for a client that accepts it, with a weak ETag and Vary', async () => {
    const { res, bytes } = await get('/big', { 'accept-encoding': 'gzip, deflate' });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(bytes).toString()).toBe(bigText);
    expect(res.headers.get('content-length')).toBe(String(bytes.byteLength));
    expect(res.headers.get('etag')).toBe(`W/${sha1(bigText)}`);
    expect(res.headers.get('vary')).toBe('Accept-Encoding');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('gzips answers above the inline size too (on the thread pool)', async () => {
    const { res, bytes } = await get('/huge', { 'accept-encoding': 'gzip' });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(bytes).toString()).toBe(huge);
  });

  it('answers identity with a strong ETag when gzip is not accepted', async () => {
    for (const accept of [undefined, 'identity', 'gzip;q=0, br', 'br']) {
      const { res, bytes } = await get('/big', accept ? { 'accept-encoding': accept } : {});
      expect(res.headers.get('content-encoding'), accept).toBeNull();
      expect(bytes.toString()).toBe(bigText);
      expect(res.headers.get('etag')).toBe(sha1(bigText));
      expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(bigText)));
      expect(res.headers.get('vary')).toBe('Accept-Encoding');
    }
  });

  it('answers 304 without a body for a matching If-None-Match, weak or strong, keeping ETag and Vary', async () => {
    for (const tag of [sha1(bigText), `W/${sha1(bigText)}`, `"other", ${sha1(bigText)}`, '*']) {
      const { res, bytes } = await get('/big', { 'if-none-match': tag, 'accept-encoding': 'gzip' });
      expect(res.status, tag).toBe(304);
      expect(bytes.byteLength).toBe(0);
      expect(res.headers.get('etag')).toBe(sha1(bigText));
      expect(res.headers.get('vary')).toBe('Accept-Encoding');
      expect(res.headers.get('content-type')).toBeNull();
    }
    const changed = await get('/big', { 'if-none-match': '"stale"' });
    expect(changed.res.status).toBe(200);
    expect(changed.bytes.toString()).toBe(bigText);
  });

  it("keeps a route's own ETag and matches against it", async () => {
    const { res } = await get('/own-tag');
    expect(res.headers.get('etag')).toBe('"mine"');
    expect((await get('/own-tag', { 'if-none-match': '"mine"' })).res.status).toBe(304);
  });

  it('leaves small answers, excluded paths and no-transform answers uncompressed', async () => {
    for (const path of ['/small', '/plain', '/no-transform']) {
      const { res, bytes } = await get(path, { 'accept-encoding': 'gzip' });
      expect(res.headers.get('content-encoding'), path).toBeNull();
      expect(JSON.parse(bytes.toString())).toBeTruthy();
      expect(res.headers.get('etag'), path).toMatch(/^"/);
    }
    expect((await get('/plain', { 'accept-encoding': 'gzip' })).res.headers.get('vary')).toBeNull();
  });

  it('leaves errors and other methods alone', async () => {
    const missing = await get('/missing', { 'accept-encoding': 'gzip' });
    expect(missing.res.status).toBe(404);
    expect(missing.res.headers.get('etag')).toBeNull();
    expect(missing.res.headers.get('content-encoding')).toBeNull();
    const posted = await get('/big', { 'accept-encoding': 'gzip' }, 'POST');
    expect(posted.res.headers.get('etag')).toBeNull();
    expect(posted.bytes.toString()).toBe(bigText);
  });

  it('answers HEAD with the ETag and no body', async () => {
    const { res, bytes } = await get('/big', { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(res.status).toBe(200);
    expect(bytes.byteLength).toBe(0);
    expect(res.headers.get('etag')).toBe(sha1(bigText));
  });
});

describe('readAnswers on random answers', () => {
  it("always gives back the route's bytes, compressed only when allowed and asked, and 304 only on a match", async () => {
    const rnd = prng(17);
    const types = ['application/json', 'text/csv; charset=utf-8', 'image/png', 'application/octet-stream'];
    const accepts = [undefined, 'gzip', 'gzip;q=0', '*', 'br', 'deflate, gzip;q=0.1', 'identity'];
    for (let i = 0; i < 200; i++) {
      const size = Math.floor(rnd() ** 3 * 400_000);
      const text = Array.from(
        { length: size },
        () => 'abcdefghij,{}"0123456789'[Math.floor(rnd() * 24)],
      ).join('');
      const type = types[Math.floor(rnd() * types.length)] as string;
      const accept = accepts[Math.floor(rnd() * accepts.length)];
      const a = new Hono();
      a.use(
        '*',
        readAnswers(() => true),
      );
      a.get('/x', (c) => c.body(text, 200, { 'Content-Type': type }));
      const res = await a.request('/x', { headers: accept ? { 'accept-encoding': accept } : {} });
      const bytes = Buffer.from(await res.arrayBuffer());
      const gzipped = res.headers.get('content-encoding') === 'gzip';
      const case_ = `#${i} size ${size} ${type} accept ${accept}`;
      expect(gzipped, case_).toBe(
        size >= 1024 && type !== 'image/png' && type !== 'application/octet-stream' && acceptsGzip(accept),
      );
      expect((gzipped ? gunzipSync(bytes) : bytes).toString(), case_).toBe(text);
      expect(res.headers.get('content-length'), case_).toBe(String(bytes.byteLength));
      const tag = sha1(text);
      expect(res.headers.get('etag'), case_).toBe(gzipped ? `W/${tag}` : tag);
      const again = await a.request('/x', {
        headers: { 'if-none-match': res.headers.get('etag') as string },
      });
      expect(again.status, case_).toBe(304);
    }
  });
});

describe('acceptsGzip', () => {
  it('reads names and q values', () => {
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('br, GZIP;q=0.5')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('*;q=0')).toBe(false);
    expect(acceptsGzip('gzip;q=0, *')).toBe(false);
    expect(acceptsGzip('deflate, br')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});

describe('etagMatches', () => {
  it('compares weakly over a list', () => {
    expect(etagMatches('"a"', '"a"')).toBe(true);
    expect(etagMatches('W/"a"', '"a"')).toBe(true);
    expect(etagMatches('"a"', 'W/"a"')).toBe(true);
    expect(etagMatches('"b", "a"', '"a"')).toBe(true);
    expect(etagMatches('"b"', '"a"')).toBe(false);
    expect(etagMatches(undefined, '"a"')).toBe(false);
  });
});
