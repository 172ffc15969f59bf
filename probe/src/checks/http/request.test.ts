import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specFor } from '../testing/spec.ts';
import { expectValidOnWire } from '../testing/wire.ts';
import { httpCheck } from './run.ts';

/* The request the http check writes: its headers as a real server reads them, and specs it refuses to send. */
const seen: { url?: string; headers: IncomingHttpHeaders; raw: string[] }[] = [];
const server = createServer((req, res) => {
  seen.push({ url: req.url, headers: req.headers, raw: req.rawHeaders });
  res.end('ok');
});
let port: number;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('http check request', () => {
  it('sends host, path, the defaults, extra headers (overriding a default in any case) and traceparent', async () => {
    const out = await httpCheck.run(
      specFor(httpCheck, port, {
        httpPath: '/a/b?c=1',
        path: 'pinned',
        targetRegion: 'fra',
        headers: { 'User-Agent': 'custom', 'x-extra': 'v' },
      }),
    );
    expect(out.outcome, out.errorMessage).toBe('ok');
    const req = seen.at(-1);
    expect(req?.url).toBe('/a/b?c=1');
    expect(req?.headers.host).toBe(`127.0.0.1:${port}`);
    expect(req?.headers['user-agent']).toBe('custom');
    expect(req?.raw.filter((h) => h.toLowerCase() === 'user-agent')).toHaveLength(1);
    expect(req?.headers['x-extra']).toBe('v');
    expect(req?.headers['fly-force-region']).toBe('fra');
    expect(req?.headers.traceparent).toBe(`00-${out.traceId}-${req?.headers.traceparent?.slice(36, 52)}-01`);
  });

  it.each([
    [{ headers: { 'bad name': 'x' } }, /request header "bad name": not a valid header name/],
    [{ headers: { 'x-split': 'a\r\nx-injected: 1' } }, /request header "x-split": value holds CR, LF/],
    [{ httpPath: 'no-slash' }, /httpPath "no-slash": must start with \//],
    [{ httpPath: '/with space' }, /httpPath "\/with space"/],
  ])('refuses to send %j, naming the field, without connecting', async (fields, reason) => {
    const before = seen.length;
    const out = await httpCheck.run(specFor(httpCheck, port, fields));
    expectValidOnWire(out);
    expect(out.outcome).toBe('error');
    expect(out.failedPhase).toBe('request');
    expect(out.errorMessage).toMatch(reason);
    expect(out.phases.connect).toBeUndefined();
    expect(seen.length).toBe(before);
  });
});
