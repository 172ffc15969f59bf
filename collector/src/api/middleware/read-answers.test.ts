import { createHash } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { prng } from '@flyprobe/shared/testing';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { acceptsGzip, etagMatches, jsonAnswer, readAnswers } from './read-answers.ts';

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

/** One request to a served app: status, headers as sent (but the per-request ones), body bytes as sent. */
function wire(port: number, path: string, method: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const { date: _date, connection: _connection, 'keep-alive': _keepAlive, ...kept } = res.headers;
          resolve({ status: res.statusCode ?? 0, headers: kept, body: Buffer.concat(chunks) });
        });
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('jsonAnswer', () => {
  it('puts the same status, headers and bytes on the wire as c.json, through @hono/node-server', async () => {
    const values: Record<string, unknown> = {
      big,
      small: { ok: true },
      empty: { cells: [], rows: [] },
      nulls: { cells: [{ value: null, samples: 0 }], unicode: 'zürich – 東京' },
    };
    const a = new Hono();
    a.use(
      '*',
      readAnswers((path) => !path.endsWith('/plain')),
    );
    for (const [name, value] of Object.entries(values)) {
      for (const suffix of ['', '/plain']) {
        a.get(`/json/${name}${suffix}`, (c) => c.json(value));
        a.get(`/answer/${name}${suffix}`, (c) => jsonAnswer(c, 200, value));
      }
    }
    a.get('/json/missing', (c) => c.json({ error: 'nope', pad: 'y'.repeat(2000) }, 404));
    a.get('/answer/missing', (c) => jsonAnswer(c, 404, { error: 'nope', pad: 'y'.repeat(2000) }));
    a.get('/json/no-transform', (c) => {
      c.header('Cache-Control', 'no-transform');
      return c.json(big);
    });
    a.get('/answer/no-transform', (c) => {
      c.header('Cache-Control', 'no-transform');
      return jsonAnswer(c, 200, big);
    });
    const server = serve({ fetch: a.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const tag = sha1(bigText);
      const variants: Array<[string, Record<string, string>]> = [
        ['GET', {}],
        ['GET', { 'accept-encoding': 'gzip' }],
        ['GET', { 'accept-encoding': 'gzip;q=0, br' }],
        ['GET', { 'if-none-match': tag }],
        ['GET', { 'if-none-match': `"other", W/${tag}`, 'accept-encoding': 'gzip' }],
        ['GET', { 'if-none-match': '"stale"', 'accept-encoding': 'gzip' }],
        ['HEAD', { 'accept-encoding': 'gzip' }],
      ];
      const names = [...Object.keys(values).flatMap((n) => [n, `${n}/plain`]), 'missing', 'no-transform'];
      let gzipped = 0;
      let notModified = 0;
      for (const name of names) {
        for (const [method, headers] of variants) {
          const theirs = await wire(port, `/json/${name}`, method, headers);
          const ours = await wire(port, `/answer/${name}`, method, headers);
          const case_ = `${method} ${name} ${JSON.stringify(headers)}`;
          expect(ours.status, case_).toBe(theirs.status);
          expect(ours.headers, case_).toEqual(theirs.headers);
          expect(ours.body.equals(theirs.body), case_).toBe(true);
          if (theirs.headers['content-encoding'] === 'gzip') gzipped++;
          if (theirs.status === 304) notModified++;
        }
      }
      // The comparison covered compressed answers and 304s, not only plain ones.
      expect(gzipped).toBeGreaterThan(0);
      expect(notModified).toBeGreaterThan(0);
      const answered = await wire(port, '/answer/big', 'GET', { 'accept-encoding': 'gzip' });
      expect(gunzipSync(answered.body).toString()).toBe(bigText);
    } finally {
      await new Promise((resolve) => server.close(resolve));
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
