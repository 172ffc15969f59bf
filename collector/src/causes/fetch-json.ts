import { undici } from '../undici.ts';

const MAX_BODY = 4 * 1024 * 1024;

/** GETs JSON with a timeout and a body cap; throws naming the URL's host on any failure or non-2xx answer. */
export async function getJson(url: string, opts: { timeoutMs: number; token?: string }): Promise<unknown> {
  const res = await (await undici()).request(url, {
    method: 'GET',
    headers: { accept: 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    signal: AbortSignal.timeout(opts.timeoutMs),
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      res.body.destroy();
      throw new Error(`${new URL(url).host}: answer larger than ${MAX_BODY} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (res.statusCode < 200 || res.statusCode >= 300)
    throw new Error(`${new URL(url).host} answered ${res.statusCode}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as unknown;
}
